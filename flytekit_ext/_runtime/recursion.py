"""A task that calls itself, directly or through other tasks, without end: one short error, not one per level.

Python raises ``RecursionError`` when the stack runs out, tasks deep. Each task call it passes through would add
its own line to the message, and its frames to the traceback: a thousand frames and a line per level, saying
nothing the first level did not. Instead the message says how deep the task calls went, through which tasks,
and what to do; the traceback keeps the outermost call's frames and those where the recursion ran out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import TracebackType
from typing import List, Optional

_RECORD = "_flytekit_ext_recursion"
#: How many of the tasks the calls went through a message names, outermost first, when no task repeats.
_SHOWN = 4


@dataclass
class _Recursion:
    message: str  # Python's own
    traceback: Optional[TracebackType]  # from the body of the innermost task it left
    tasks: List[str] = field(default_factory=list)  # the tasks whose bodies it left, innermost first


def recursion_in(error: BaseException) -> Optional[RecursionError]:
    """The ``RecursionError`` that ``error`` is, or that the typed error of a child call (in an eager task) was
    made from; ``None`` for any other failure."""
    if isinstance(error, RecursionError):
        return error
    cause = error.__cause__
    return cause if isinstance(cause, RecursionError) and _RECORD in cause.__dict__ else None


def left_a_task(error: BaseException) -> bool:
    """Whether ``error`` is a recursion that has already left the body of a task called inside this one."""
    recursion = recursion_in(error)
    return recursion is not None and _RECORD in recursion.__dict__


def leaving_task(error: RecursionError, task_name: str) -> Optional[RecursionError]:
    """``error`` as it leaves the body of ``task_name``, worded for the task calls it came through; ``None`` when
    this is the first task it leaves (a recursion inside one body: an error like any other)."""
    record: Optional[_Recursion] = error.__dict__.get(_RECORD)
    if record is None:
        record = error.__dict__[_RECORD] = _Recursion(str(error), error.__traceback__)
    record.tasks.append(task_name)
    if len(record.tasks) == 1:
        return None
    error.args = (
        f"Error encountered while executing '{task_name}': {record.message}, {len(record.tasks)} task calls deep: "
        f"{_calls(record.tasks)}. A task that calls itself, directly or through other tasks, needs a case in which "
        f"it returns without calling again.",
    )
    return error.with_traceback(record.traceback)


def _calls(tasks: List[str]) -> str:
    """How the task calls went, from their names innermost first: the cycle the innermost task closed, if any."""
    innermost = tasks[0]
    if innermost in tasks[1:]:
        cycle = list(reversed(tasks[: tasks.index(innermost, 1)]))
        if len(cycle) == 1:
            return f"'{innermost}' calls itself without end"
        return " -> ".join(f"'{name}'" for name in (*cycle, cycle[0])) + " without end"
    outermost = list(reversed(tasks))
    return " -> ".join(f"'{name}'" for name in outermost[:_SHOWN]) + (" -> ..." if len(tasks) > _SHOWN else "")
