"""Flyte 2's calling convention for its API functions: ``f(...)`` blocks, ``await f.aio(...)`` does not."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import functools
import inspect
from typing import Any, Awaitable, Callable, Coroutine, Generic, TypeVar

from typing_extensions import ParamSpec

P = ParamSpec("P")
R = TypeVar("R")


async def _awaited(awaitable: Awaitable[R]) -> R:
    return await awaitable


def run_to_completion(awaitable: Awaitable[R]) -> R:
    """The awaitable's result, from synchronous code: on a new event loop, in a thread of its own when this
    thread runs a loop already (a notebook), since a loop cannot be entered twice."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(_awaited(awaitable))
    # The thread runs in a copy of this context: the run, the task and the trace recorder the caller is in.
    context = contextvars.copy_context()
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="flyte-run") as pool:
        return pool.submit(context.run, asyncio.run, _awaited(awaitable)).result()


class Syncified(Generic[P, R]):
    """An async API function, called synchronously; ``.aio`` is the function itself."""

    def __init__(self, function: Callable[P, Coroutine[Any, Any, R]]) -> None:
        self.aio = function
        functools.update_wrapper(self, function)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        return run_to_completion(self.aio(*args, **kwargs))

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        # As a method: bound to the instance, both ways of calling it.
        if instance is None:
            return self
        return Syncified(functools.partial(self.aio, instance))


def syncify(function: Callable[P, Coroutine[Any, Any, R]]) -> Syncified[P, R]:
    if inspect.isasyncgenfunction(function) or isinstance(function, (classmethod, staticmethod)):
        raise TypeError(
            f"syncify: {getattr(function, '__qualname__', function)!r} is an async generator or a class or static "
            "method, which flytekit_ext.flyte's syncify does not take; decorate a plain async function or method"
        )
    return Syncified(function)
