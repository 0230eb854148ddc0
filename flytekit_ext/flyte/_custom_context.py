"""``flyte.custom_context(...)`` and ``flyte.get_custom_context()``: values that flow to the calls made below.

A run starts with ``with_runcontext(custom_context=...)``; inside a task, ``with flyte.custom_context(k=v):``
adds to it for the calls made in the block (and the calls they make). Calls run in this process (locally, and
in a ``def`` task's pod on a cluster) see it; on a Flyte 1 cluster a parent's child executions start with the
run's custom context only, which is passed to the run itself.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Dict, Iterator

from flytekit_ext.flyte._context import TASK


def get_custom_context() -> Dict[str, str]:
    """The custom context of the running task; empty outside a task."""
    found = TASK.get()
    return dict(found.custom_context) if found is not None else {}


@contextmanager
def custom_context(**context: str) -> Iterator[None]:
    """Add ``context`` to the custom context of the calls made in the block; outside a task it does nothing."""
    found = TASK.get()
    if found is None:
        yield
        return
    token = TASK.set(found.replace({**found.custom_context, **context}))
    try:
        yield
    finally:
        TASK.reset(token)
