"""Calls run in this process: at top level, inside tasks and local eager tasks, and in local workflow bodies.

Each call retries a failing body as its ``retries`` say (the task's, or the override's), as a cluster would.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Dict, Tuple, Union

from flytekit.core.context_manager import BranchEvalMode, FlyteContext
from flytekit.core.promise import Promise, VoidPromise, create_task_output
from flytekit.loggers import logger
from flytekit.models.literals import LiteralMap

from flytekit_ext._calls.blocking import warn_if_blocking_the_loop
from flytekit_ext._calls.overrides import NO_OVERRIDES, CallOverrides, display_name
from flytekit_ext._local.run import native_result, native_result_async, run_call, run_local_async
from flytekit_ext._runtime.enclosing import CALLS, TYPED_ERRORS, current_group, labelled
from flytekit_ext._runtime.failures import FailurePolicy
from flytekit_ext._runtime.loops import in_worker_thread, off_loop_thread, running_loop
from flytekit_ext._runtime.scope import adopt_into_current_scope

if TYPE_CHECKING:
    from flytekit_ext._eager.call_log import CallLog
    from flytekit_ext.tasks.base import TaskCalls


def _log_start(task: TaskCalls, policy: FailurePolicy) -> None:
    logger.info(f"{policy.shown_as}: running {task.name} locally")


def failure_policy(task: TaskCalls, overrides: CallOverrides, typed_errors: bool = False) -> FailurePolicy:
    """How a local call of ``task`` retries and raises: its ``retries`` override, else the task's own."""
    if overrides is NO_OVERRIDES and current_group() is None:
        # Most calls: the task's own policy, made once (on every call it would cost more than the retry check).
        key = "_flytekit_ext_typed_policy" if typed_errors else "_flytekit_ext_policy"
        policy: FailurePolicy | None = task.__dict__.get(key)
        if policy is None or policy.retries != task.metadata.retries:
            policy = task.__dict__[key] = _policy(task, overrides, typed_errors)
        return policy
    return _policy(task, overrides, typed_errors)


def _policy(task: TaskCalls, overrides: CallOverrides, typed_errors: bool) -> FailurePolicy:
    retries = overrides.node.get("retries", task.metadata.retries)
    if not isinstance(retries, int) or isinstance(retries, bool) or retries < 0:
        raise ValueError(f"Task '{task.name}': retries must be an int >= 0, got {retries!r}")
    return FailurePolicy(retries, labelled(display_name(task, overrides.short_name)), typed_errors)


def _native_call(task: TaskCalls, ctx: FlyteContext, inputs: Dict[str, Any], policy: FailurePolicy) -> Any:
    return native_result(task, ctx, run_call(task, ctx, inputs, policy))


def _native_call_off_loop(task: TaskCalls, ctx: FlyteContext, inputs: Dict[str, Any], policy: FailurePolicy) -> Any:
    """:func:`_native_call`, never on an event loop's thread: there it blocks the loop, but the body may itself
    use ``asyncio.run``."""
    if running_loop() is None:  # most calls: asked first, and nothing else to do
        return native_result(task, ctx, run_call(task, ctx, inputs, policy))
    warn_if_blocking_the_loop(task)
    return off_loop_thread(_native_call, task, ctx, inputs, policy)


class InProcessRunner:
    """Returns native values, as a plain Python call would."""

    in_workflow_body = False
    runs_in_process = True
    checks_required = True
    #: A failed call raises a :mod:`flytekit_ext.errors` error (calls made by eager tasks, or in a
    #: ``flytekit_ext.typed_errors()`` block), not its own.
    typed_errors = False

    def run(self, ctx: FlyteContext, task: TaskCalls, inputs: Dict[str, Any], overrides: CallOverrides) -> Any:
        policy = failure_policy(task, overrides, self.typed_errors or TYPED_ERRORS.get())
        if logger.isEnabledFor(logging.INFO):
            _log_start(task, policy)
        log: CallLog | None = CALLS.get()  # the eager run this call is a child of, run locally
        if log is None:
            return _native_call_off_loop(task, ctx, inputs, policy)
        with log.recording(display_name(task, overrides.short_name), current_group()):
            return _native_call_off_loop(task, ctx, inputs, policy)

    async def run_async(
        self, ctx: FlyteContext, task: TaskCalls, inputs: Dict[str, Any], overrides: CallOverrides
    ) -> Any:
        adopt_into_current_scope(task.name)
        if task.is_async:
            policy = failure_policy(task, overrides, self.typed_errors or TYPED_ERRORS.get())
            if logger.isEnabledFor(logging.INFO):
                _log_start(task, policy)
            log: CallLog | None = CALLS.get()
            if log is None:
                return await native_result_async(task, ctx, await run_local_async(task, ctx, inputs, policy))
            with log.recording(display_name(task, overrides.short_name), current_group()):
                return await native_result_async(task, ctx, await run_local_async(task, ctx, inputs, policy))
        # A synchronous body must not block the event loop, and may itself call asyncio.run: a worker thread.
        return await in_worker_thread(self.run, ctx, task, inputs, overrides)


class LocalEagerRunner(InProcessRunner):
    """Inside an eager task run locally: as in a task, but a failed call raises a typed error, as on a backend."""

    typed_errors = True


PromiseOutputs = Union[Promise, VoidPromise, Tuple[Promise, ...], None]


def promises_for(task: TaskCalls, outputs: LiteralMap) -> PromiseOutputs:
    """The promises a workflow body receives for a call's output literals."""
    names = list(task.interface.outputs)
    if not names:
        return VoidPromise(task.name)
    return create_task_output([Promise(name, outputs.literals[name]) for name in names], task.python_interface)


class LocalWorkflowRunner:
    """Inside a workflow (or dynamic task) body run locally: outputs are promises holding literals."""

    in_workflow_body = True
    runs_in_process = True
    checks_required = True

    def run(
        self, ctx: FlyteContext, task: TaskCalls, inputs: Dict[str, Any], overrides: CallOverrides
    ) -> PromiseOutputs:
        state = ctx.execution_state
        if state is not None and state.branch_eval_mode == BranchEvalMode.BRANCH_SKIPPED:
            return _skipped(task)
        policy = failure_policy(task, overrides)
        if logger.isEnabledFor(logging.INFO):
            _log_start(task, policy)
        return promises_for(task, off_loop_thread(run_call, task, ctx, inputs, policy))

    async def run_async(
        self, ctx: FlyteContext, task: TaskCalls, inputs: Dict[str, Any], overrides: CallOverrides
    ) -> Any:
        raise TypeError(f"Task '{task.name}' was awaited inside a workflow run; workflow bodies are synchronous.")


def _skipped(task: TaskCalls) -> PromiseOutputs:
    interface = task.python_interface
    if not interface.inputs and not interface.outputs:
        return None
    if not interface.outputs:
        return VoidPromise(task.name)
    return create_task_output([Promise(name, None) for name in interface.outputs], interface)
