"""What running a task means once its inputs are literals, locally and inside ``pyflyte-execute``.

Every flytekit_ext task's ``dispatch_execute`` is :func:`dispatch`: pre-execute hook, inputs to native
values, the task body, post-execute hook, outputs to literals, decks. :func:`dispatch_async` is the same
sequence for a body awaited on an event loop. Both are straight-line code around one :class:`BodyRun`,
which owns what they share: the context the body runs in, and what an error becomes. In a pod (not a
local execution) errors are wrapped the way ``pyflyte-execute`` expects, so it writes the right error
document, and the cluster retries what :func:`~._runtime.failures.recoverable` allows; locally a
recoverable failure of the body is retried here, up to the call's retries, and the original exception
travels up with flytekit's message prefix (or, for a call made by an eager task, as a typed error).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Dict, NoReturn, Optional, Union

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

from flytekit_ext._core.contexts import enter, entered, leave
from flytekit_ext._core.loops import in_worker_thread, run_coroutine
from flytekit_ext._core.where import where
from flytekit_ext._flytekit_internals import replaced, with_decks_enabled
from flytekit_ext._runtime import literals
from flytekit_ext._runtime.failures import FailurePolicy, failure_policy, hooked_policy, recoverable, reported_in_pod
from flytekit_ext._runtime.recursion import leaving_task, left_a_task, recursion_in
from flytekit_ext._runtime.sandbox import for_next_attempt
from flytekit_ext._runtime.task import RunnableTask
from flytekit_ext._runtime.timeline import BODY, INPUTS, OUTPUTS, timeline_deck, timeline_of
from flytekit_ext._runtime.typed_errors import Stage, from_exception
from flytekit_ext._runtime.unawaited import returned_unawaited

Outputs = Union[LiteralMap, DynamicJobSpec]
_NO_PRE_HOOK = PythonTask.pre_execute
_NO_POST_HOOK = PythonTask.post_execute
_DATA_ERRORS = (FlyteUploadDataException, FlyteDownloadDataException)


def has_hook(task: Any, name: str, do_nothing: Any) -> bool:
    """Whether ``task``'s hook ``name`` is not flytekit's ``do_nothing`` one: set on the task, or its class's (asked
    of the class each time, so a hook patched onto a class later is seen, as flytekit sees it)."""
    return name in task.__dict__ or getattr(type(task), name) is not do_nothing


def _with_decks(params: ExecutionParameters, task: RunnableTask, local: bool) -> ExecutionParameters:
    """Parameters for a run of ``task`` that writes decks.

    As in flytekit, the run's timeline deck joins the decks of the execution it runs in (a list shared with
    the caller, so the caller sees it afterwards); only the run's own parameters say decks are enabled.
    """
    if DeckField.TIMELINE.value in task.deck_fields:
        # again if found: flytekit lists it once per run
        params.decks.append(timeline_deck(params, local, eager=task.metadata.is_eager))
    return with_decks_enabled(params)


def _pre_executed(task: RunnableTask, ctx: FlyteContext) -> Any:
    """The parameters the task's ``pre_execute`` hook makes of the run's (a plugin's Spark session, ``ray.init``).

    As in flytekit, the hook runs with the run's context current: plugins read its execution mode there.
    """
    with entered(ctx):
        return task.pre_execute(ctx.user_space_params)


class BodyRun:
    """One run of a task's body on literal inputs: the context it runs in, and what its errors become."""

    __slots__ = (
        "task",
        "outer_ctx",
        "ctx",
        "params",
        "local",
        "converters",
        "policy",
        "timeline",
        "decks",
    )

    def __init__(self, task: RunnableTask, ctx: FlyteContext, policy: Optional[FailurePolicy] = None) -> None:
        self.task = task
        self.outer_ctx = ctx
        # A policy is given by a local call; without one this is a pod's run, or one flytekit started itself.
        self.local = policy is not None or where(ctx).local_run
        self.converters = task.converters
        if policy is None and self.local:
            policy = hooked_policy(task)
        if policy is None:
            # Called as flytekit's dispatch_execute: a pod (the cluster retries), or a local run of flytekit's.
            policy = failure_policy(task, retries=None if self.local else 0)
        self.policy = policy
        state = ctx.execution_state
        given = state.user_space_params if state is not None else None
        # Most tasks have no pre_execute hook: skip entering the context for it.
        params = _pre_executed(task, ctx) if has_hook(task, "pre_execute", _NO_PRE_HOOK) else given
        self.decks = task.enable_deck
        if self.decks and params is not None:
            params = _with_decks(params, task, self.local)
        self.params = params
        self.timeline = timeline_of(params, self.decks)
        if params is given:
            self.ctx = ctx
        else:
            self.ctx = replaced(ctx, execution_state=replaced(ctx.execution_state, user_space_params=params))

    def next_attempt(self) -> None:
        """Before a local retry: run it as a retried pod runs, in a sandbox of its own whose checkpoint holds
        what the failed attempt wrote (only a local run retries, so this is never a pod's)."""
        if self.timeline is not None:
            self.timeline.start()
        if self.params is None:
            return
        self.params = for_next_attempt(self.params)
        self.ctx = replaced(self.ctx, execution_state=replaced(self.ctx.execution_state, user_space_params=self.params))

    def natives(self, inputs: LiteralMap) -> Dict[str, Any]:
        """The inputs as Python values, converted anew for each attempt (as each pod of a cluster does)."""
        try:
            native_inputs = literals.literals_to_natives(self.ctx, inputs, self.converters.inputs)
        except Exception as error:
            self.fail_inputs(error)
        if self.timeline is not None:
            self.timeline.lap(INPUTS)
        if logger.isEnabledFor(logging.INFO):
            logger.info(f"Invoking {self.task.name} with inputs: {native_inputs}")
        return native_inputs

    def body_ended(self) -> None:
        """The body returned: the timeline's step for it ends here."""
        if self.timeline is not None:
            self.timeline.lap(BODY)

    # Each ``fail_*`` is called while ``error`` is being handled and raises what the caller should see. A pod
    # gets the error wrapped, with the user's exception as its cause: the traceback pyflyte-execute writes
    # to the error document is taken from there.

    def _raise_locally(self, error: Exception, stage: Stage, prefix: str) -> NoReturn:
        recursion = recursion_in(error)
        # One short error for all the task calls a recursion went through, not a line and a traceback per call.
        deep = leaving_task(recursion, self.task.name) if recursion is not None else None
        error = deep or error
        if self.policy.typed_errors:
            typed = from_exception(error, stage)
            # Its message stays the child's own, as in Flyte 2; the note (shown with the traceback) names the child.
            typed.__notes__ = [
                *getattr(typed, "__notes__", ()),
                f"raised by child call {self.policy.shown_as} (task '{self.task.name}')",
            ]
            raise typed from error
        if deep is None:
            error.args = (f"{prefix}:\n  {error}",)
        raise error

    def fail_inputs(self, error: Exception) -> NoReturn:
        """The inputs could not be converted to Python values."""
        if self.timeline is not None:
            self.timeline.lap(INPUTS)
        if self.local:
            if isinstance(error, _DATA_ERRORS) and not self.policy.typed_errors:
                raise error
            self._raise_locally(error, "inputs", f"Error encountered while converting inputs of '{self.task.name}'")
        if isinstance(error, _DATA_ERRORS):
            raise error
        raise FlyteNonRecoverableSystemException(error) from error

    def retry_delay(self, error: Exception, attempt: int) -> float:
        """After attempt ``attempt`` failed with ``error``: seconds to wait before the next, else raise.

        Only a local run retries; in a pod the error document tells the cluster whether to.
        """
        policy = self.policy
        if self.local and policy.retries:
            failure = f"{type(error).__name__}: {error}"
            if not recoverable(error):
                if not left_a_task(error):  # else the task call it came from said so already
                    logger.warning(
                        f"{policy.shown_as}: attempt {attempt} of {policy.attempts} failed with {failure}; "
                        f"{type(error).__name__} is not retried"
                    )
            elif attempt < policy.attempts:
                delay = policy.delay(attempt)
                logger.warning(
                    f"{policy.shown_as}: attempt {attempt} of {policy.attempts} failed with {failure}; "
                    f"retrying in {delay:.1f}s"
                )
                return delay
        self.fail_body(error, attempt)

    def fail_body(self, error: Exception, attempt: int = 1) -> NoReturn:
        """The task's body raised: the user's error, marked as such in a pod."""
        if self.timeline is not None:
            self.timeline.lap(BODY)
        if self.local:
            tried = f" after {attempt} of {self.policy.attempts} attempts" if self.policy.retries else ""
            self._raise_locally(error, "body", f"Error encountered while executing '{self.task.name}'{tried}")
        raise FlyteUserRuntimeException(reported_in_pod(error)) from error

    def fail_outputs(self, error: Exception) -> NoReturn:
        """The outputs could not be converted to literals."""
        if self.local:
            if self.policy.typed_errors:
                raise from_exception(error, "outputs") from error
            raise error
        if isinstance(error, _DATA_ERRORS):
            raise error
        raise FlyteNonRecoverableSystemException(error) from error

    def complete(self, native_inputs: Dict[str, Any], returned: Any) -> Outputs:
        """After the body: the post-execute hook, then outputs to literals and decks (may block on conversions).

        A dynamic task's workflow, or its already-resolved outputs, need no conversion.
        """
        task = self.task
        if has_hook(task, "post_execute", _NO_POST_HOOK):  # most tasks have none: no call
            returned = task.post_execute(self.params, returned)
        # issubclass, not isinstance: flytekit's model classes answer isinstance through a slow Python hook.
        if issubclass(type(returned), (LiteralMap, DynamicJobSpec)):
            return returned
        converters = self.converters
        try:
            by_name = literals.returned_by_name(converters.tuple_name, converters.outputs.names, returned)
            output_map = literals.outputs_to_literals(self.ctx, task, by_name, converters.outputs, self.local)
            if self.timeline is not None:
                self.timeline.lap(OUTPUTS)
            if self.decks:
                task.write_decks(native_inputs, by_name, self.outer_ctx, self.params)
        except Exception as error:
            # Looked for only once converting failed: a task call returned unawaited is a coroutine, which no
            # output type converts.
            unawaited = returned_unawaited(task.name, converters.outputs.names, returned)
            self.fail_outputs(error if unawaited is None else unawaited)
        return output_map


def dispatch(
    task: RunnableTask,
    ctx: FlyteContext,
    inputs: LiteralMap,
    policy: Optional[FailurePolicy] = None,
    *,
    entered_by_caller: bool = False,
) -> Outputs:
    """Run ``task`` on ``inputs`` here, synchronously; an async body runs on a loop of its own.

    ``entered_by_caller``: the caller made ``ctx`` current, on a context stack of the call's own (a local call):
    a body that runs in ``ctx`` itself needs no second one.
    """
    run = BodyRun(task, ctx, policy)
    attempt = 1
    while True:
        token = None if entered_by_caller and run.ctx is ctx else enter(run.ctx)
        try:
            native_inputs = run.natives(inputs)
            try:
                returned = task.start_body(native_inputs)
                if task.is_async:
                    returned = run_coroutine(returned)
            except Exception as error:
                delay = run.retry_delay(error, attempt)
                run.body_ended()  # the failed attempt's body, in the timeline; the wait is in none of its steps
            else:
                run.body_ended()
                return run.complete(native_inputs, returned)
        finally:
            if token is not None:
                leave(token)
        time.sleep(delay)
        run.next_attempt()
        attempt += 1


async def dispatch_async(
    task: RunnableTask,
    ctx: FlyteContext,
    inputs: LiteralMap,
    policy: Optional[FailurePolicy] = None,
    *,
    entered_by_caller: bool = False,
) -> Outputs:
    """Run ``task`` on ``inputs`` on the running loop, awaiting an async body.

    Conversions through asynchronous transformers happen on a worker thread, so the loop never blocks.
    ``entered_by_caller``: as for :func:`dispatch`.
    """
    run = BodyRun(task, ctx, policy)
    convert_inputs_off_loop = run.converters.inputs.needs_loop
    convert_outputs_off_loop = run.converters.outputs.needs_loop or run.decks
    attempt = 1
    while True:
        token = None if entered_by_caller and run.ctx is ctx else enter(run.ctx)
        try:
            if convert_inputs_off_loop:
                native_inputs = await in_worker_thread(run.natives, inputs)
            else:
                native_inputs = run.natives(inputs)
            try:
                returned = task.start_body(native_inputs)
                if task.is_async:
                    returned = await returned
            except Exception as error:
                delay = run.retry_delay(error, attempt)
                run.body_ended()  # the failed attempt's body, in the timeline; the wait is in none of its steps
            else:
                run.body_ended()
                if convert_outputs_off_loop:
                    return await in_worker_thread(run.complete, native_inputs, returned)
                return run.complete(native_inputs, returned)
        finally:
            if token is not None:
                leave(token)
        await asyncio.sleep(delay)
        run.next_attempt()
        attempt += 1
