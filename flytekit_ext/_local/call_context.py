"""The flytekit context a local task call runs in, and the one its input transformers are given.

Each call gets a context of its own, as flytekit gives it: a local execution state in the task's mode,
parameters with a sandbox of the call's own (made when first read) and an output-metadata tracker. A call
made at top level also starts a new local execution: the decks of the parameters it inherits are emptied.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Tuple

from flytekit.core.context_manager import ExecutionState, FlyteContext, OutputMetadataTracker

from flytekit_ext._runtime import sandbox
from flytekit_ext._runtime.context import is_local_execution
from flytekit_ext._runtime.values import replaced_two

if TYPE_CHECKING:
    from flytekit.core.base_task import PythonTask


def call_contexts(task: PythonTask, ctx: FlyteContext) -> Tuple[FlyteContext, FlyteContext]:
    """The context a call of ``task`` made in ``ctx`` runs in, and the one its input transformers are given:
    that same context for a call that starts a local execution (top level), the caller's for a call made
    inside one, as flytekit gives them."""
    state: ExecutionState = ctx.execution_state if ctx.execution_state is not None else ctx.new_execution_state()
    starts_execution = not is_local_execution(state)
    params = state.user_space_params
    if params is not None:
        params = sandbox.for_task_call(params, starts_execution)
    child_state = replaced_two(state, "mode", task.local_execution_mode(), "user_space_params", params)
    child = replaced_two(ctx, "execution_state", child_state, "output_metadata_tracker", OutputMetadataTracker())
    return child, (child if starts_execution else ctx)
