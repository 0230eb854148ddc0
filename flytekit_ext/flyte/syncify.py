"""``flyte.syncify``: ``@syncify`` on an async function (or method) makes ``f(...)`` block and ``f.aio(...)`` await,
the calling convention of Flyte 2's own API."""

from flytekit_ext.flyte._syncify import syncify

__all__ = ["syncify"]
