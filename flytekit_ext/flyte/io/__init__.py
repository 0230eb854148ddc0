"""``flyte.io``: ``File``, ``Dir`` and ``DataFrame``, a task's files, folders and tables, stored as Flyte 1's
blob and structured-dataset literals (see each class)."""

from __future__ import annotations

from typing import Any

from flytekit_ext.flyte.io._dir import Dir
from flytekit_ext.flyte.io._file import File


class HashFunction:
    """A function computing a value's cache key (Flyte 2's ``HashFunction.from_fn``)."""

    def __init__(self, fn: Any) -> None:
        self.fn = fn

    @classmethod
    def from_fn(cls, fn: Any) -> HashFunction:
        return cls(fn)


def __getattr__(name: str) -> Any:
    # DataFrame loads flytekit's structured-dataset engine; File and Dir do not need it.
    if name in ("DataFrame", "PARQUET"):
        from flytekit_ext.flyte.io import _dataframe

        return getattr(_dataframe, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["PARQUET", "DataFrame", "Dir", "File", "HashFunction"]
