"""What running a task means once its inputs are literals, locally and inside ``pyflyte-execute``.

:func:`dispatch_steps` is the body of every flytekit_ext task's ``dispatch_execute``: pre-execute hook,
inputs to native values, the task body, post-execute hook, outputs to literals, decks. In a pod (not a
local execution) user errors are wrapped the way ``pyflyte-execute`` expects them, so it writes the right
error document; locally the original exception travels up with flytekit's message prefix.
"""

from __future__ import annotations

import inspect
import logging
from typing import TYPE_CHECKING, Any, Dict, Union

from flytekit.core.context_manager import ExecutionParameters, ExecutionState, FlyteContext
from flytekit.deck import DeckField
from flytekit.exceptions.system import (
    FlyteDownloadDataException,
    FlyteNonRecoverableSystemException,
    FlyteUploadDataException,
)
from flytekit.exceptions.user import FlyteUserRuntimeException
from flytekit.loggers import logger
from flytekit.models.dynamic_job import DynamicJobSpec
from flytekit.models.literals import LiteralMap

from flytekit_ext.local import literals
from flytekit_ext.local.context import derived, entered, shallow_copy
from flytekit_ext.local.steps import Step, Steps

if TYPE_CHECKING:
    from flytekit.core.base_task import PythonTask

Outputs = Union[LiteralMap, DynamicJobSpec]
_DATA_ERRORS = (FlyteUploadDataException, FlyteDownloadDataException)


def _decks_enabled(task: PythonTask, params: ExecutionParameters) -> ExecutionParameters:
    """Turn decks on for this run, on a copy, so the caller's parameters stay as they were."""
    if DeckField.TIMELINE.value in task.deck_fields:
        params.decks.append(params.timeline_deck)
    enabled = shallow_copy(params)
    enabled._enable_deck = True
    return enabled


def _run_context(task: PythonTask, ctx: FlyteContext) -> tuple[FlyteContext, Any]:
    """The context the body runs in: the task's pre-execute hook and deck setting applied."""
    given = ctx.user_space_params
    params = task.pre_execute(given)
    if task.enable_deck and params is not None:
        params = _decks_enabled(task, params)
    if params is given:
        return ctx, params
    state = shallow_copy(ctx.execution_state)
    state.user_space_params = params
    return derived(ctx, execution_state=state), params


def dispatch_steps(task: PythonTask, ctx: FlyteContext, inputs: LiteralMap, *, async_body: bool) -> Steps[Outputs]:
    """The steps of ``dispatch_execute``; ``async_body`` awaits ``async_execute`` instead of calling ``execute``."""
    state: ExecutionState = ctx.execution_state
    local = state.is_local_execution()
    converters = literals.TaskConverters.of(task)
    run_ctx, params = _run_context(task, ctx)

    with entered(run_ctx):
        try:
            native_inputs: Dict[str, Any] = yield Step(
                literals.literals_to_natives(run_ctx, inputs, converters.inputs),
                loop_free=not converters.inputs.needs_loop,
            )
        except _DATA_ERRORS:
            raise
        except Exception as error:
            if local:
                error.args = (f"Error encountered while converting inputs of '{task.name}':\n  {error}",)
                raise
            raise FlyteNonRecoverableSystemException(error) from error

        if logger.isEnabledFor(logging.INFO):
            logger.info(f"Invoking {task.name} with inputs: {native_inputs}")
        try:
            if async_body:
                returned = yield Step(task.async_execute(**native_inputs))
            else:
                returned = task.execute(**native_inputs)
                if inspect.iscoroutine(returned):  # a plugin's ``async def execute``
                    returned = yield Step(returned)
        except Exception as error:
            if local:
                error.args = (f"Error encountered while executing '{task.name}':\n  {error}",)
                raise
            raise FlyteUserRuntimeException(error) from error

        returned = task.post_execute(params, returned)
        if isinstance(returned, (LiteralMap, DynamicJobSpec)):
            return returned  # a dynamic task's workflow, or its already-resolved outputs

        try:
            outputs_by_name = literals.returned_by_name(task.python_interface, converters.outputs.by_name, returned)
            output_map = yield Step(
                literals.outputs_to_literals(run_ctx, task.name, outputs_by_name, converters.outputs),
                loop_free=not converters.outputs.needs_loop,
            )
            if task.enable_deck:
                task._write_decks(native_inputs, outputs_by_name, ctx, params)
        except _DATA_ERRORS:
            raise
        except Exception as error:
            if local:
                raise
            raise FlyteNonRecoverableSystemException(error) from error
        return output_map
