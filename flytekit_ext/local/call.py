"""A local task call from start to finish: inputs to literals, the local cache, dispatch, outputs back."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Optional

from flytekit.configuration import LocalConfig
from flytekit.core.context_manager import ExecutionState, FlyteContext, OutputMetadataTracker
from flytekit.core.local_cache import LocalTaskCache
from flytekit.loggers import logger
from flytekit.models.literals import LiteralMap

from flytekit_ext.local import literals, sandbox
from flytekit_ext.local.context import derived, entered, shallow_copy
from flytekit_ext.local.dispatch import dispatch_steps
from flytekit_ext.local.steps import Step, Steps

if TYPE_CHECKING:
    from flytekit.core.base_task import PythonTask


def child_context(task: PythonTask, ctx: FlyteContext) -> FlyteContext:
    """The context a task call runs in: the task's local mode, its own decks, sandbox and output metadata."""
    state: ExecutionState = ctx.execution_state if ctx.execution_state is not None else ctx.new_execution_state()
    child_state = shallow_copy(state)
    child_state.mode = task.local_execution_mode()
    if state.user_space_params is not None:
        child_state.user_space_params = sandbox.for_task_call(state.user_space_params)
    return derived(ctx, execution_state=child_state, output_metadata_tracker=OutputMetadataTracker())


def _cached_outputs(task: PythonTask, inputs: LiteralMap) -> Optional[LiteralMap]:
    config = LocalConfig.auto()
    if not config.cache_enabled:
        return None
    if config.cache_overwrite:
        logger.info("Cache overwrite, task will be executed now")
        return None
    found = LocalTaskCache.get(task.name, task.metadata.cache_version, inputs, task.metadata.cache_ignore_input_vars)
    logger.info(f"Cache {'hit' if found is not None else 'miss'} for task named {task.name}")
    return found


def _remember_outputs(task: PythonTask, inputs: LiteralMap, outputs: LiteralMap) -> None:
    if LocalConfig.auto().cache_enabled:
        LocalTaskCache.set(
            task.name, task.metadata.cache_version, inputs, task.metadata.cache_ignore_input_vars, outputs
        )


def output_literals_steps(
    task: PythonTask, ctx: FlyteContext, values: Dict[str, Any], *, async_body: bool
) -> Steps[LiteralMap]:
    """Run ``task`` locally on ``values`` (native values or promises); the result is its output literal map."""
    converters = literals.TaskConverters.of(task)
    # Entering ``ctx`` gives this call its own copy of flytekit's context stack (see local.context).
    with entered(ctx):
        inputs = yield Step(
            literals.inputs_to_literals(ctx, task.name, values, converters.inputs),
            loop_free=not literals.needs_loop_for_inputs(values, converters.inputs),
        )
        cached = _cached_outputs(task, inputs) if task.metadata.cache else None
        if cached is not None:
            return cached
        outputs = yield from dispatch_steps(task, child_context(task, ctx), inputs, async_body=async_body)
    if not isinstance(outputs, LiteralMap):
        raise AssertionError(f"Task '{task.name}' produced {type(outputs).__name__} in a local run, not outputs")
    if task.metadata.cache:
        _remember_outputs(task, inputs, outputs)
    return outputs


def native_steps(task: PythonTask, ctx: FlyteContext, values: Dict[str, Any], *, async_body: bool) -> Steps[Any]:
    """Run ``task`` locally and return what a Python call returns: ``None``, a value, or a named tuple."""
    outputs = yield from output_literals_steps(task, ctx, values, async_body=async_body)
    converters = literals.TaskConverters.of(task)
    natives = yield Step(
        literals.outputs_to_natives(ctx, outputs, converters.outputs), loop_free=not converters.outputs.needs_loop
    )
    return literals.as_call_result(task.python_interface, natives)
