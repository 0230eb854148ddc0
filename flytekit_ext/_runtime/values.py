"""Changed copies of flytekit's objects, made without running their constructors."""

from __future__ import annotations

from typing import Any, TypeVar

T = TypeVar("T")


def replaced(obj: T, **changes: Any) -> T:  # noqa: UP047 - Python 3.10 has no type parameter syntax
    """A copy of ``obj`` sharing its attribute values, with ``changes`` set on the copy; ``obj`` is unchanged.

    Works where ``dataclasses.replace`` and ``copy.copy`` do not: flytekit's ``FlyteContext`` is a frozen
    dataclass whose builder is slow, ``ExecutionState``'s constructor creates a directory on disk, and
    ``copy.copy`` of ``ExecutionParameters`` recurses forever through its ``__getattr__``.
    """
    duplicate = object.__new__(type(obj))
    duplicate.__dict__.update(obj.__dict__)
    duplicate.__dict__.update(changes)
    return duplicate
