"""The one answer to "where is this code running?", read from flytekit's context.

Every other module asks :func:`where` instead of reading flytekit's execution mode itself: the router (what a
task call means), the eager package (where an eager body runs), the dispatch drivers (whether a failure is
raised here or written for ``pyflyte-execute``), and the local path (whether a call starts a local execution).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from flytekit.core.context_manager import ExecutionState, FlyteContext

from flytekit_ext._flytekit_internals import is_compiling


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: asked on every call, it must be cheap
class Where:
    """Where code runs, as far as running tasks is concerned: one of the seven places below."""

    description: str
    #: A workflow body is synchronous Python building or running nodes: every call completes at once (an async
    #: task's too), and there is no task body to ``forward`` to.
    in_workflow_body: bool = False
    #: Part of a local execution: failures are raised here, and retried here.
    local_run: bool = False
    #: Task calls run in this process (so a ``map``'s items may run on threads or processes here).
    runs_calls_here: bool = True

    COMPILING: ClassVar[Where]
    LOCAL_WORKFLOW: ClassVar[Where]
    LOCAL_EAGER: ClassVar[Where]
    BACKEND_EAGER: ClassVar[Where]
    LOCAL_TASK: ClassVar[Where]
    POD: ClassVar[Where]
    OUTSIDE: ClassVar[Where]

    def __repr__(self) -> str:
        return f"<Where: {self.description}>"


Where.COMPILING = Where("a workflow body being compiled", in_workflow_body=True, runs_calls_here=False)
Where.LOCAL_WORKFLOW = Where("a workflow or dynamic task body run locally", in_workflow_body=True, local_run=True)
Where.LOCAL_EAGER = Where("the body of an eager task run locally", local_run=True)
Where.BACKEND_EAGER = Where("the body of an eager task on a Flyte backend", runs_calls_here=False)
Where.LOCAL_TASK = Where("a task run locally", local_run=True)
Where.POD = Where("a task run by pyflyte-execute")
Where.OUTSIDE = Where("outside any task")

# Module-level names: an Enum member or class attribute costs a lookup through its class on every call.
_Mode = ExecutionState.Mode
_LOCAL_TASK_EXECUTION = _Mode.LOCAL_TASK_EXECUTION
_EAGER_LOCAL_EXECUTION = _Mode.EAGER_LOCAL_EXECUTION
_LOCAL_WORKFLOW_EXECUTION = _Mode.LOCAL_WORKFLOW_EXECUTION
_LOCAL_DYNAMIC_TASK_EXECUTION = _Mode.LOCAL_DYNAMIC_TASK_EXECUTION
_EAGER_EXECUTION = _Mode.EAGER_EXECUTION
_COMPILING, _OUTSIDE, _POD = Where.COMPILING, Where.OUTSIDE, Where.POD
_LOCAL_TASK, _LOCAL_EAGER, _LOCAL_WORKFLOW, _BACKEND_EAGER = (
    Where.LOCAL_TASK,
    Where.LOCAL_EAGER,
    Where.LOCAL_WORKFLOW,
    Where.BACKEND_EAGER,
)


def where(ctx: FlyteContext) -> Where:
    """Where code whose current flytekit context is ``ctx`` runs."""
    if is_compiling(ctx):
        return _COMPILING
    state = ctx.execution_state
    mode = state.mode if state is not None else None
    # Compared by identity, not looked up by key: a dict lookup would call Enum.__hash__, in Python, per call.
    if mode is None:
        return _OUTSIDE
    if mode is _LOCAL_TASK_EXECUTION:
        return _LOCAL_TASK
    if mode is _EAGER_LOCAL_EXECUTION:
        return _LOCAL_EAGER
    if mode is _LOCAL_WORKFLOW_EXECUTION or mode is _LOCAL_DYNAMIC_TASK_EXECUTION:
        return _LOCAL_WORKFLOW
    if mode is _EAGER_EXECUTION:
        return _BACKEND_EAGER
    return _POD  # TASK_EXECUTION, DYNAMIC_TASK_EXECUTION: inside pyflyte-execute
