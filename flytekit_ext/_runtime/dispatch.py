"""What running a task means once its inputs are literals, locally and inside ``pyflyte-execute``.

Every flytekit_ext task's ``dispatch_execute`` is :func:`dispatch`: pre-execute hook, inputs to native
values, the task body, post-execute hook, outputs to literals, decks. :func:`dispatch_async` is the same
sequence for a body awaited on an event loop. Both are straight-line code around one :class:`BodyRun`,
which owns what they share: the context the body runs in, and what an error becomes. In a pod (not a
local execution) errors are wrapped the way ``pyflyte-execute`` expects, so it writes the right error
document; locally the original exception travels up with flytekit's message prefix.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Dict, NoReturn, Union

from flytekit.core.base_task import PythonTask
from flytekit.core.context_manager import ExecutionParameters, FlyteContext
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

from flytekit_ext._runtime import literals
from flytekit_ext._runtime.context import entered
from flytekit_ext._runtime.loops import in_worker_thread, run_coroutine
from flytekit_ext._runtime.timeline import BODY, INPUTS, OUTPUTS, timeline_deck, timeline_of
from flytekit_ext._runtime.values import replaced

if TYPE_CHECKING:
    from flytekit_ext.tasks.base import TaskCalls

Outputs = Union[LiteralMap, DynamicJobSpec]
_NO_HOOK = PythonTask.pre_execute
_DATA_ERRORS = (FlyteUploadDataException, FlyteDownloadDataException)


def _with_decks(params: ExecutionParameters, deck_fields: Any, local: bool) -> ExecutionParameters:
    """Parameters for a run that writes decks.

    As in flytekit, the run's timeline deck joins the decks of the execution it runs in (a list shared with
    the caller, so the caller sees it afterwards); only the run's own parameters say decks are enabled.
    """
    if DeckField.TIMELINE.value in deck_fields:
        params.decks.append(timeline_deck(params, local))
    return replaced(params, _enable_deck=True)


def _pre_executed(task: TaskCalls, ctx: FlyteContext) -> Any:
    """The parameters the task's ``pre_execute`` hook makes of the run's (a plugin's Spark session, ``ray.init``).

    As in flytekit, the hook runs with the run's context current: plugins read its execution mode there.
    """
    with entered(ctx):
        return task.pre_execute(ctx.user_space_params)


class BodyRun:
    """One run of a task's body on literal inputs: the context it runs in, and what its errors become."""

    __slots__ = ("task", "outer_ctx", "ctx", "params", "local", "converters", "timeline")

    def __init__(self, task: TaskCalls, ctx: FlyteContext) -> None:
        self.task = task
        self.outer_ctx = ctx
        self.local = ctx.execution_state is not None and ctx.execution_state.is_local_execution()
        self.converters = literals.TaskConverters.of(task)
        given = ctx.user_space_params
        # Most tasks have no pre_execute hook: skip entering the context for it.
        params = given if type(task).pre_execute is _NO_HOOK else _pre_executed(task, ctx)
        if task.enable_deck and params is not None:
            params = _with_decks(params, task.deck_fields, self.local)
        self.params = params
        self.timeline = timeline_of(params)
        if params is given:
            self.ctx = ctx
        else:
            self.ctx = replaced(ctx, execution_state=replaced(ctx.execution_state, user_space_params=params))

    def log_start(self, native_inputs: Dict[str, Any]) -> None:
        if logger.isEnabledFor(logging.INFO):
            logger.info(f"Invoking {self.task.name} with inputs: {native_inputs}")

    # Each ``fail_*`` is called while ``error`` is being handled and raises what the caller should see. A pod
    # gets the error wrapped, with the user's exception as its cause: the traceback pyflyte-execute writes
    # to the error document is taken from there.

    def fail_inputs(self, error: Exception) -> NoReturn:
        """The inputs could not be converted to Python values."""
        if self.timeline is not None:
            self.timeline.lap(INPUTS)
        if isinstance(error, _DATA_ERRORS):
            raise error
        if self.local:
            error.args = (f"Error encountered while converting inputs of '{self.task.name}':\n  {error}",)
            raise error
        raise FlyteNonRecoverableSystemException(error) from error

    def fail_body(self, error: Exception) -> NoReturn:
        """The task's body raised: the user's error, marked as such in a pod."""
        if self.timeline is not None:
            self.timeline.lap(BODY)
        if self.local:
            error.args = (f"Error encountered while executing '{self.task.name}':\n  {error}",)
            raise error
        raise FlyteUserRuntimeException(error) from error

    def fail_outputs(self, error: Exception) -> NoReturn:
        """The outputs could not be converted to literals."""
        if self.local or isinstance(error, _DATA_ERRORS):
            raise error
        raise FlyteNonRecoverableSystemException(error) from error

    def complete(self, native_inputs: Dict[str, Any], returned: Any) -> Outputs:
        """After the body: the post-execute hook, then outputs to literals and decks (may block on conversions).

        A dynamic task's workflow, or its already-resolved outputs, need no conversion.
        """
        task = self.task
        returned = task.post_execute(self.params, returned)
        if isinstance(returned, (LiteralMap, DynamicJobSpec)):
            return returned
        try:
            by_name = literals.returned_by_name(task.python_interface, self.converters.outputs.by_name, returned)
            output_map = literals.outputs_to_literals(self.ctx, task.name, by_name, self.converters.outputs)
            if self.timeline is not None:
                self.timeline.lap(OUTPUTS)
            if task.enable_deck:
                task._write_decks(native_inputs, by_name, self.outer_ctx, self.params)
        except Exception as error:
            self.fail_outputs(error)
        return output_map


def dispatch(task: TaskCalls, ctx: FlyteContext, inputs: LiteralMap) -> Outputs:
    """Run ``task`` on ``inputs`` here, synchronously; an async body runs on a loop of its own."""
    run = BodyRun(task, ctx)
    with entered(run.ctx):
        try:
            native_inputs = literals.literals_to_natives(run.ctx, inputs, run.converters.inputs)
        except Exception as error:
            run.fail_inputs(error)
        if run.timeline is not None:
            run.timeline.lap(INPUTS)
        run.log_start(native_inputs)
        try:
            returned = task._start_body(native_inputs)
            if task.is_async:
                returned = run_coroutine(returned)
        except Exception as error:
            run.fail_body(error)
        if run.timeline is not None:
            run.timeline.lap(BODY)
        return run.complete(native_inputs, returned)


async def dispatch_async(task: TaskCalls, ctx: FlyteContext, inputs: LiteralMap) -> Outputs:
    """Run ``task`` on ``inputs`` on the running loop, awaiting an async body.

    Conversions through asynchronous transformers happen on a worker thread, so the loop never blocks.
    """
    run = BodyRun(task, ctx)
    convert_inputs_off_loop = run.converters.inputs.needs_loop
    convert_outputs_off_loop = run.converters.outputs.needs_loop or task.enable_deck
    with entered(run.ctx):
        try:
            if convert_inputs_off_loop:
                native_inputs = await in_worker_thread(
                    literals.literals_to_natives, run.ctx, inputs, run.converters.inputs
                )
            else:
                native_inputs = literals.literals_to_natives(run.ctx, inputs, run.converters.inputs)
        except Exception as error:
            run.fail_inputs(error)
        if run.timeline is not None:
            run.timeline.lap(INPUTS)
        run.log_start(native_inputs)
        try:
            returned = task._start_body(native_inputs)
            if task.is_async:
                returned = await returned
        except Exception as error:
            run.fail_body(error)
        if run.timeline is not None:
            run.timeline.lap(BODY)
        if convert_outputs_off_loop:
            return await in_worker_thread(run.complete, native_inputs, returned)
        return run.complete(native_inputs, returned)
