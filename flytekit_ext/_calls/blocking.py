"""A synchronous task called without ``.aio`` in async code: it works, and holds up the event loop meanwhile.

That costs nothing when nothing else waits on the loop: a notebook cell (Jupyter runs cells on a loop), the
first step of an eager body, a task body its caller is awaiting. It is worth a warning when other task calls
were in flight on the loop and the call held them up for longer than asyncio itself calls a slow callback
(``loop.slow_callback_duration``, 0.1 s): those calls waited, on a backend their polling too.

What counts as held up is measured when the call starts, from the calls running on the loop:

* an awaited task call (``await task(...)``, ``task.aio(...)``, a map item) running in another asyncio task,
  recorded by :func:`awaited_call` while it runs; except the calls this code runs inside of, which wait for
  it anyway (an async task's body calling a sync task directly, awaited alone by its caller);
* an asyncio task created and not started yet (``asyncio.create_task(fetch(...))`` just before the call):
  it is ready to run and cannot.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Dict, Iterator, Set, Tuple

from flytekit.loggers import logger

from flytekit_ext._core.loops import running_loop
from flytekit_ext._runtime.task import RunnableTask

_warned: Set[str] = set()

#: The asyncio tasks running awaited task calls, with how many each (nested calls run in their caller's task).
_running: Dict[asyncio.Task[Any], int] = {}
#: The asyncio tasks of the calls the current code runs inside of: they wait for it.
_inside: ContextVar[Tuple[asyncio.Task[Any], ...]] = ContextVar("flytekit_ext_inside_calls", default=())
_current_task = asyncio.current_task


class AwaitedCall:
    """Around an awaited call while it runs (``with AwaitedCall():``): a synchronous call made elsewhere on its
    loop would hold it up. A class, not ``@contextmanager``: every awaited call enters one, and a generator
    costs twice as much (about 1.3 µs against 3 µs here)."""

    __slots__ = ("_task", "_token")

    def __enter__(self) -> None:
        task = self._task = _current_task()
        self._token = None
        if task is None:
            return
        _running[task] = _running.get(task, 0) + 1
        inside = _inside.get()
        if not inside or inside[-1] is not task:
            self._token = _inside.set(inside + (task,))

    def __exit__(self, *exc_info: Any) -> None:
        task = self._task
        if task is None:
            return
        if self._token is not None:
            _inside.reset(self._token)
        left = _running[task] - 1
        if left:
            _running[task] = left
        else:
            del _running[task]


def _not_started(task: asyncio.Task[Any]) -> bool:
    coro = task.get_coro()
    return inspect.iscoroutine(coro) and inspect.getcoroutinestate(coro) == inspect.CORO_CREATED


def calls_held_up(loop: asyncio.AbstractEventLoop) -> int:
    """How many calls on ``loop`` a synchronous call made here now would hold up (see the module)."""
    current = asyncio.current_task(loop)
    inside = _inside.get()
    held = {
        task
        for task in list(_running)
        if task is not current and task not in inside and task.get_loop() is loop and not task.done()
    }
    held.update(task for task in asyncio.all_tasks(loop) if task is not current and _not_started(task))
    return len(held)


@contextmanager
def holding_the_loop(task: RunnableTask) -> Iterator[None]:
    """Around a synchronous call of ``task`` that blocks this thread: warn (once per task) if, on a running event
    loop, it held up other task calls for longer than a slow callback."""
    loop = running_loop()
    waiting = 0 if loop is None or task.name in _warned else calls_held_up(loop)
    if not waiting:
        yield
        return
    started = time.monotonic()
    try:
        yield
    finally:
        held = time.monotonic() - started
        if held >= getattr(loop, "slow_callback_duration", 0.1) and task.name not in _warned:
            _warned.add(task.name)
            calls = "1 other call" if waiting == 1 else f"{waiting} other calls"
            logger.warning(
                f"Task '{task.name}' was called without .aio in async code: it held up the event loop for "
                f"{held:.2f} s while {calls} waited on it. Use `await {task.short_name}.aio(...)` to let them "
                f"run meanwhile."
            )
