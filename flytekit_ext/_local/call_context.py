"""The flytekit context a local task call runs in, and the one its input transformers are given.

Each call gets a context of its own, as flytekit gives it: a local execution state in the task's mode,
parameters with a sandbox of the call's own (made when first read) and an output-metadata tracker. A call
made outside a local execution (top level, or in a pod's task) starts one: the decks of the parameters it
inherits are emptied.
"""

from __future__ import annotations

from typing import Tuple

from flytekit.core.context_manager import ExecutionState, FlyteContext, OutputMetadataTracker

from flytekit_ext._core.where import where
from flytekit_ext._flytekit_internals import replaced
from flytekit_ext._runtime import sandbox
from flytekit_ext._runtime.task import RunnableTask


def call_contexts(task: RunnableTask, ctx: FlyteContext) -> Tuple[FlyteContext, FlyteContext]:
    """The context a call of ``task`` made in ``ctx`` runs in, and the one its input transformers are given:
    that same context for a call that starts a local execution, the caller's for a call made inside one, as
    flytekit gives them."""
    starts_execution = not where(ctx).local_run
    state: ExecutionState = ctx.execution_state if ctx.execution_state is not None else ctx.new_execution_state()
    params = state.user_space_params
    if params is not None:
        params = sandbox.for_task_call(params, starts_execution)
    child_state = replaced(state, mode=task.local_execution_mode(), user_space_params=params)
    child = replaced(ctx, execution_state=child_state, output_metadata_tracker=OutputMetadataTracker())
    return child, (child if starts_execution else ctx)
