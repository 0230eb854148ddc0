"""Flyte 2 APIs that have no meaning on a Flyte 1 cluster: a clear error naming the API and what to use instead."""

from __future__ import annotations

from typing import Any, NoReturn


class UnavailableOnFlyte1Error(NotImplementedError):
    """The Flyte 2 API called has no counterpart on flytekit and Flyte 1."""


def unavailable(api: str, instead: str) -> NoReturn:
    raise UnavailableOnFlyte1Error(f"{api} is Flyte 2 only: it has no counterpart on flytekit and Flyte 1. {instead}")


def unavailable_function(api: str, instead: str) -> Any:
    """A stand-in for ``api`` that raises when it is called (or used as a decorator), never before."""

    def stand_in(*args: Any, **kwargs: Any) -> NoReturn:
        unavailable(api, instead)

    async def aio(*args: Any, **kwargs: Any) -> NoReturn:  # Flyte 2's async form of the same function
        unavailable(api, instead)

    stand_in.aio = aio  # type: ignore[attr-defined]
    stand_in.__name__ = api.rsplit(".", 1)[-1]
    stand_in.__qualname__ = stand_in.__name__
    stand_in.__doc__ = f"Not available on Flyte 1: {instead}"
    return stand_in


class _UnavailableClass(type):
    """A stand-in class's class: reading anything from it (``Action.get``, ``Cron.daily``) raises too."""

    _api: str
    _instead: str

    def __getattr__(cls, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        unavailable(f"{cls._api}.{name}", cls._instead)


def unavailable_class(api: str, instead: str) -> type:
    """A stand-in class for ``api``: making one, or using anything of it, raises; naming it (in annotations,
    ``isinstance``) does not."""

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        unavailable(api, instead)

    name = api.rsplit(".", 1)[-1]
    namespace = {
        "__init__": __init__,
        "__doc__": f"Not available on Flyte 1: {instead}",
        "_api": api,
        "_instead": instead,
    }
    return _UnavailableClass(name, (), namespace)


def unavailable_module_attribute(module: str, name: str, instead: str) -> Any:
    """For a module of Flyte 2 APIs that Flyte 1 has no counterpart for: any of its names, as a stand-in that
    raises when it is made or called (``from flyte.app import AppEnvironment`` works; using it does not)."""
    if name.startswith("__"):
        raise AttributeError(name)
    api = f"{module.replace('flytekit_ext.flyte', 'flyte')}.{name}"
    return unavailable_class(api, instead) if name[:1].isupper() else unavailable_function(api, instead)
