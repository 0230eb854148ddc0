"""``@flytekit_ext.trace``: record (and on a retried eager task, reuse) the calls of a helper function.

Inside an eager task, each call of a traced function is recorded: its inputs, its output or error, when it
started and how long it took, shown in the eager task's deck ("Traces"). On a Flyte backend a completed call is
also kept with the eager task's attempt, so a retried attempt returns the recorded output instead of running
the function again: use it for what should not be repeated (a costly query, a call to a paid API). Anywhere
else (outside an eager task, or in a task an eager task calls) a traced function is called as it is.

For coroutine functions and plain functions. Generator functions are called as they are, and not recorded.
Tasks are not traced (a task's calls are recorded as child executions already): decorating one is an error.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, Optional, TypeVar

from flytekit.core.base_task import Task

from flytekit_ext._calls.overridden import OverriddenTask
from flytekit_ext._core import enclosing
from flytekit_ext._core.loops import in_worker_thread

F = TypeVar("F", bound=Callable[..., Any])


def _signature(function: Callable[..., Any]) -> Optional[inspect.Signature]:
    try:
        return inspect.signature(function)
    except (TypeError, ValueError):  # some builtins and C callables have none
        return None


def trace(function: F) -> F:
    """Trace ``function`` (an ``async def`` or a ``def``); see the module's description."""
    target = function.func if isinstance(function, functools.partial) else function
    if isinstance(target, (Task, OverriddenTask)):
        raise TypeError(
            f"trace: {getattr(target, 'name', target)!r} is a task; @trace is for plain functions called inside "
            f"eager tasks. A task's calls there are child executions, recorded already; to trace the task's "
            f"code, trace a function that calls its .forward(...)"
        )
    if not callable(function):
        raise TypeError(f"trace: expected a function, got {function!r}")
    if inspect.isgeneratorfunction(function) or inspect.isasyncgenfunction(function):
        return function
    signature = _signature(function)

    if inspect.iscoroutinefunction(function):

        @functools.wraps(function)
        async def traced_async(*args: Any, **kwargs: Any) -> Any:
            recorder = enclosing.current().traces
            if recorder is None:
                return await function(*args, **kwargs)
            call = recorder.begin(function, signature, args, kwargs)
            if call.previous is not None:
                return recorder.replay(call)
            try:
                output = await function(*args, **kwargs)
            except Exception as error:
                kept = recorder.end(call, error=error)
                if kept is not None:
                    await in_worker_thread(recorder.keep, call, kept)
                raise
            kept = recorder.end(call, output=output)
            if kept is not None:  # on a backend: saving it blocks, so off the event loop
                await in_worker_thread(recorder.keep, call, kept)
            return output

        return traced_async  # type: ignore[return-value]

    @functools.wraps(function)
    def traced(*args: Any, **kwargs: Any) -> Any:
        recorder = enclosing.current().traces
        if recorder is None:
            return function(*args, **kwargs)
        call = recorder.begin(function, signature, args, kwargs)
        if call.previous is not None:
            return recorder.replay(call)
        try:
            output = function(*args, **kwargs)
        except Exception as error:
            recorder.keep(call, recorder.end(call, error=error))
            raise
        recorder.keep(call, recorder.end(call, output=output))
        return output

    return traced  # type: ignore[return-value]
