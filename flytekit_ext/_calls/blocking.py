"""A synchronous task called without ``.aio`` in async code: it works, and holds up the event loop meanwhile.

That costs nothing when nothing else waits on the loop: a notebook cell (Jupyter runs cells on a loop), the
first step of an eager body, a task body its caller is awaiting. It is worth a warning when other task calls
were in flight on the loop and the call held them up for longer than asyncio itself calls a slow callback
(``loop.slow_callback_duration``, 0.1 s): those calls waited, on a backend their polling too.

What counts as held up is read when the call ends, only if it was that slow (while it ran the loop could not
run, so nothing on the loop changed), from the asyncio tasks of the loop:

* a task inside an awaited task call (``await task(...)``, ``task.aio(...)``, a map item): one whose chain of
  awaited coroutines passes through a runner's coroutine registered with :func:`awaited_call`; except the calls
  this code runs inside of, which wait for it anyway (an async task's body calling a sync task directly, awaited
  alone by its caller), which :class:`AwaitedCall` keeps in the context;
* a task created and not started yet (``asyncio.create_task(fetch(...))`` just before the call): it is ready to
  run and cannot.

Reading the chains then, rather than registering every awaited call as it runs, leaves an awaited call one
context-variable read: registering was a measurable part of the cost of a call inside a local eager task.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from contextlib import contextmanager
from contextvars import ContextVar, Token
from types import CodeType
from typing import Any, Callable, Iterator, Optional, Set, Tuple, TypeVar

from flytekit.loggers import logger

from flytekit_ext._core.loops import running_loop
from flytekit_ext._runtime.task import RunnableTask

F = TypeVar("F", bound=Callable[..., Any])

_warned: Set[str] = set()

#: The code of the coroutines that carry an awaited task call out.
_CALL_CODE: Set[CodeType] = set()
#: The asyncio tasks of the calls the current code runs inside of: they wait for it.
_inside: ContextVar[Tuple[asyncio.Task[Any], ...]] = ContextVar("flytekit_ext_inside_calls", default=())


def awaited_call(function: F) -> F:
    """Register a runner's coroutine function that carries an awaited task call out (see the module)."""
    _CALL_CODE.add(function.__code__)
    return function


class AwaitedCall:
    """Around an awaited call running in asyncio task ``task`` (``with AwaitedCall(task):``): the code it runs, and
    the asyncio tasks that code starts, run inside it. A class, not ``@contextmanager``: every awaited call enters
    one, and a generator costs several times as much."""

    __slots__ = ("_task", "_token")

    def __init__(self, task: Optional[asyncio.Task[Any]]) -> None:
        self._task = task

    def __enter__(self) -> None:
        task = self._task
        inside = _inside.get()
        # Most calls run in the task of the call they are made in (an eager body's, a task body's): nothing to add.
        self._token: Optional[Token[Tuple[asyncio.Task[Any], ...]]] = (
            _inside.set(inside + (task,)) if task is not None and (not inside or inside[-1] is not task) else None
        )

    def __exit__(self, *exc_info: Any) -> None:
        if self._token is not None:
            _inside.reset(self._token)


def _in_a_call(task: asyncio.Task[Any]) -> bool:
    """Whether ``task`` is inside an awaited task call, or is one not started yet."""
    coro: Any = task.get_coro()
    while inspect.iscoroutine(coro):
        if coro.cr_code in _CALL_CODE:
            return True
        coro = coro.cr_await
    return False


def _not_started(task: asyncio.Task[Any]) -> bool:
    coro = task.get_coro()
    return inspect.iscoroutine(coro) and inspect.getcoroutinestate(coro) == inspect.CORO_CREATED


def calls_held_up(loop: asyncio.AbstractEventLoop) -> int:
    """How many calls on ``loop`` a synchronous call made here is holding up (see the module)."""
    current = asyncio.current_task(loop)
    inside = _inside.get()
    return sum(
        1
        for task in asyncio.all_tasks(loop)
        if task is not current and task not in inside and (_not_started(task) or _in_a_call(task))
    )


@contextmanager
def holding_the_loop(task: RunnableTask) -> Iterator[None]:
    """Around a synchronous call of ``task`` that blocks this thread: warn (once per task) if, on a running event
    loop, it held up other task calls for longer than a slow callback."""
    loop = running_loop()
    if loop is None or task.name in _warned:
        yield
        return
    started = time.monotonic()
    try:
        yield
    finally:
        held = time.monotonic() - started
        if held >= getattr(loop, "slow_callback_duration", 0.1) and task.name not in _warned:
            waiting = calls_held_up(loop)
            if waiting:
                _warned.add(task.name)
                calls = "1 other call" if waiting == 1 else f"{waiting} other calls"
                logger.warning(
                    f"Task '{task.name}' was called without .aio in async code: it held up the event loop for "
                    f"{held:.2f} s while {calls} waited on it. Use `await {task.short_name}.aio(...)` to let "
                    f"them run meanwhile."
                )
