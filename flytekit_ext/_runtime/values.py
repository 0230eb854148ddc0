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
    attributes = obj.__dict__.copy()
    attributes.update(changes)
    duplicate = _new(type(obj))
    _set_attribute(duplicate, "__dict__", attributes)  # object's own setter: frozen dataclasses refuse theirs
    return duplicate


def replaced_two(obj: T, name: str, value: Any, other_name: str, other_value: Any) -> T:  # noqa: UP047
    """``replaced(obj, name=value, other_name=other_value)``, for the copies every local task call makes.

    Keyword arguments would cost a dictionary on each of them.
    """
    attributes = obj.__dict__.copy()
    attributes[name] = value
    attributes[other_name] = other_value
    duplicate = _new(type(obj))
    _set_attribute(duplicate, "__dict__", attributes)  # as in replaced
    return duplicate


_new = object.__new__
_set_attribute = object.__setattr__
