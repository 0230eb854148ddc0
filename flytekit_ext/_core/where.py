"""The one answer to "where is this code running?", read from flytekit's context.

Every other module asks :func:`where` instead of reading flytekit's execution mode itself: the router (what a
task call means), the eager package (where an eager body runs), the dispatch drivers (whether a failure is
raised here or written for ``pyflyte-execute``), and the local path (whether a call starts a local execution).
"""

from __future__ import annotations

import enum

from flytekit.core.context_manager import ExecutionState, FlyteContext

from flytekit_ext._flytekit_internals import is_compiling


class Where(enum.Enum):
    """Where code runs, as far as running tasks is concerned."""

    COMPILING = "a workflow body being compiled"
    LOCAL_WORKFLOW = "a workflow or dynamic task body run locally"
    LOCAL_EAGER = "the body of an eager task run locally"
    BACKEND_EAGER = "the body of an eager task on a Flyte backend"
    LOCAL_TASK = "a task run locally"
    POD = "a task run by pyflyte-execute"
    OUTSIDE = "outside any task"

    @property
    def in_workflow_body(self) -> bool:
        """A workflow body is synchronous Python building or running nodes: every call completes at once (an
        async task's too), and there is no task body to ``forward`` to."""
        return self is Where.COMPILING or self is Where.LOCAL_WORKFLOW

    @property
    def local_run(self) -> bool:
        """Part of a local execution: failures are raised here, and retried here."""
        return self is Where.LOCAL_TASK or self is Where.LOCAL_WORKFLOW or self is Where.LOCAL_EAGER

    @property
    def runs_calls_here(self) -> bool:
        """Task calls run in this process (so a ``map``'s items may run on threads or processes here)."""
        return self is not Where.COMPILING and self is not Where.BACKEND_EAGER


_Mode = ExecutionState.Mode
_BY_MODE = {
    None: Where.OUTSIDE,
    _Mode.TASK_EXECUTION: Where.POD,
    _Mode.DYNAMIC_TASK_EXECUTION: Where.POD,
    _Mode.LOCAL_TASK_EXECUTION: Where.LOCAL_TASK,
    _Mode.LOCAL_WORKFLOW_EXECUTION: Where.LOCAL_WORKFLOW,
    _Mode.LOCAL_DYNAMIC_TASK_EXECUTION: Where.LOCAL_WORKFLOW,
    _Mode.EAGER_LOCAL_EXECUTION: Where.LOCAL_EAGER,
    _Mode.EAGER_EXECUTION: Where.BACKEND_EAGER,
}


def where(ctx: FlyteContext) -> Where:
    """Where code whose current flytekit context is ``ctx`` runs."""
    if is_compiling(ctx):
        return Where.COMPILING
    state = ctx.execution_state
    return _BY_MODE[state.mode if state is not None else None]
