"""What running a task means once its inputs are literals, locally and inside ``pyflyte-execute``.

:func:`dispatch_steps` is the body of every flytekit_ext task's ``dispatch_execute``: pre-execute hook,
inputs to native values, the task body, post-execute hook, outputs to literals, decks. In a pod (not a
local execution) user errors are wrapped the way ``pyflyte-execute`` expects them, so it writes the right
error document; locally the original exception travels up with flytekit's message prefix.
"""

from __future__ import annotations

import copy
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
from flytekit_ext.local.context import entered
from flytekit_ext.local.sandbox import shallow_copy
from flytekit_ext.local.steps import Step, Steps

if TYPE_CHECKING:
    from flytekit.core.base_task import PythonTask

Outputs = Union[LiteralMap, DynamicJobSpec]


def _with_params(state: ExecutionState, params: ExecutionParameters) -> ExecutionState:
    changed = copy.copy(state)  # ExecutionState's constructor would mkdir its engine dir again
    changed.user_space_params = params
    return changed


def _decks_enabled(task: PythonTask, ctx: FlyteContext, params: ExecutionParameters) -> ExecutionParameters:
    """Turn decks on for this run, on a copy, so the caller's parameters stay as they were."""
    if DeckField.TIMELINE.value in task.deck_fields and ctx.user_space_params is not None:
        params.decks.append(params.timeline_deck)
    enabled = shallow_copy(params)
    enabled._enable_deck = True
    return enabled


def dispatch_steps(task: PythonTask, ctx: FlyteContext, inputs: LiteralMap, *, async_body: bool) -> Steps[Outputs]:
    """The steps of ``dispatch_execute``; ``async_body`` awaits ``async_execute`` instead of calling ``execute``."""
    state = ctx.execution_state
    assert state is not None, "a task runs inside an execution state"
    params = task.pre_execute(ctx.user_space_params)
    if task.enable_deck and params is not None:
        params = _decks_enabled(task, ctx, params)
    exec_ctx = ctx.with_execution_state(_with_params(state, params)).build() if params is not None else ctx
    local = state.is_local_execution()
    info = _TaskInfo.of(task)

    with entered(exec_ctx):
        try:
            native_inputs: Dict[str, Any] = yield Step(
                literals.literals_to_natives(exec_ctx, inputs, task.python_interface.inputs),
                loop_free=not info.inputs_need_loop,
            )
        except (FlyteUploadDataException, FlyteDownloadDataException):
            raise
        except Exception as error:
            if local:
                error.args = (f"Error encountered while converting inputs of '{task.name}':\n  {error}",)
                raise
            raise FlyteNonRecoverableSystemException(error) from error

        logger.info(f"Invoking {task.name} with inputs: {native_inputs}")
        try:
            if async_body:
                returned = yield Step(task.async_execute(**native_inputs))
            else:
                returned = task.execute(**native_inputs)
        except Exception as error:
            if local:
                error.args = (f"Error encountered while executing '{task.name}':\n  {error}",)
                raise
            raise FlyteUserRuntimeException(error) from error

        returned = task.post_execute(params, returned)
        if isinstance(returned, (LiteralMap, DynamicJobSpec)):
            return returned  # a dynamic task's workflow, or its already-resolved outputs

        try:
            output_map, outputs_by_name = yield Step(
                literals.outputs_to_literals(
                    exec_ctx, task.name, task.python_interface, task.interface.outputs, returned
                ),
                loop_free=not info.outputs_need_loop,
            )
            task._write_decks(native_inputs, outputs_by_name, ctx, params)
        except (FlyteUploadDataException, FlyteDownloadDataException):
            raise
        except Exception as error:
            if local:
                raise
            raise FlyteNonRecoverableSystemException(error) from error
        return output_map


class _TaskInfo:
    """Facts about a task's interface that every call would otherwise recompute."""

    __slots__ = ("inputs_need_loop", "outputs_need_loop")

    def __init__(self, task: PythonTask) -> None:
        interface = task.python_interface
        self.inputs_need_loop = literals.needs_event_loop(interface.inputs.values())
        self.outputs_need_loop = literals.needs_event_loop(interface.outputs.values())

    @staticmethod
    def of(task: PythonTask) -> _TaskInfo:
        info: Any = task.__dict__.get("_flytekit_ext_info")
        if info is None:
            info = task.__dict__["_flytekit_ext_info"] = _TaskInfo(task)
        return info
