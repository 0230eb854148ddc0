"""A synchronous task called without ``.aio`` in async code: it works, and stalls the event loop meanwhile."""

from __future__ import annotations

from typing import Set

from flytekit.loggers import logger

from flytekit_ext._core.loops import running_loop
from flytekit_ext._runtime.task import RunnableTask

_warned: Set[str] = set()


def warn_if_blocking_the_loop(task: RunnableTask) -> None:
    """Log once per task when a synchronous call of it blocks the running event loop until it returns.

    The call keeps flytekit's meaning (it returns its value), but every sibling awaiting on that loop stops
    meanwhile: locally other children, on a backend the polling of every child execution.
    """
    if running_loop() is None or task.name in _warned:
        return
    _warned.add(task.name)
    logger.warning(
        f"Task '{task.name}' was called without .aio in async code: the event loop, and every call awaiting "
        f"on it, waits until it returns. Use `await {task.short_name}.aio(...)` to let them run meanwhile."
    )
