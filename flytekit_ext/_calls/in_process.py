"""Calls run in this process: at top level, inside tasks and local eager tasks, and in local workflow bodies.

Each call retries a failing body as its ``retries`` say (the task's, or the override's), as a cluster would.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, Tuple, Union

from flytekit.core.context_manager import BranchEvalMode, FlyteContext
from flytekit.core.promise import Promise, VoidPromise, create_task_output
from flytekit.loggers import logger
from flytekit.models.literals import LiteralMap

from flytekit_ext._calls.blocking import AwaitedCall, awaited_call, holding_the_loop
from flytekit_ext._calls.overrides import CallOverrides
from flytekit_ext._core import enclosing
from flytekit_ext._core.loops import in_worker_thread, off_loop_thread, running_loop
from flytekit_ext._core.naming import display_name
from flytekit_ext._local.run import native_call_async, native_result, run_call
from flytekit_ext._runtime.failures import FailurePolicy, failure_policy
from flytekit_ext._runtime.task import RunnableTask


def _policy(task: RunnableTask, overrides: CallOverrides, typed_errors: bool) -> FailurePolicy:
    policy = failure_policy(task, overrides.retries, overrides.short_name, typed_errors)
    if logger.isEnabledFor(logging.INFO):
        logger.info(f"{policy.shown_as}: running {task.name} locally")
    return policy


def _native_call(task: RunnableTask, ctx: FlyteContext, inputs: Dict[str, Any], policy: FailurePolicy) -> Any:
    return native_result(task, ctx, run_call(task, ctx, inputs, policy))


class InProcessRunner:
    """Returns native values, as a plain Python call would."""

    checks_required = True
    #: A failed call raises a :mod:`flytekit_ext.errors` error (calls made by eager tasks, or in a
    #: ``flytekit_ext.typed_errors()`` block), not its own.
    typed_errors = False

    def run(self, ctx: FlyteContext, task: RunnableTask, inputs: Dict[str, Any], overrides: CallOverrides) -> Any:
        here = enclosing.current()
        policy = _policy(task, overrides, self.typed_errors or here.typed_errors)
        calls = here.calls  # the log of the local eager run this call is a child of
        if calls is None:
            return self._run_off_loop(task, ctx, inputs, policy)
        with calls.recording(display_name(task, overrides.short_name), here.group):
            return self._run_off_loop(task, ctx, inputs, policy)

    @staticmethod
    def _run_off_loop(task: RunnableTask, ctx: FlyteContext, inputs: Dict[str, Any], policy: FailurePolicy) -> Any:
        """The call, never on an event loop's thread: there it blocks the loop, but the body may itself use
        ``asyncio.run``."""
        if running_loop() is None:
            return _native_call(task, ctx, inputs, policy)
        with holding_the_loop(task):
            return off_loop_thread(_native_call, task, ctx, inputs, policy)

    @awaited_call
    async def run_async(
        self, ctx: FlyteContext, task: RunnableTask, inputs: Dict[str, Any], overrides: CallOverrides
    ) -> Any:
        current = asyncio.current_task()
        enclosing.adopt_as_child(task.name, current)
        with AwaitedCall(current):
            if not task.is_async:
                # A synchronous body must not block the event loop, and may itself call asyncio.run: a worker
                # thread.
                return await in_worker_thread(self.run, ctx, task, inputs, overrides)
            here = enclosing.current()
            policy = _policy(task, overrides, self.typed_errors or here.typed_errors)
            calls = here.calls
            if calls is None:
                return await native_call_async(task, ctx, inputs, policy)
            with calls.recording(display_name(task, overrides.short_name), here.group):
                return await native_call_async(task, ctx, inputs, policy)


class LocalEagerRunner(InProcessRunner):
    """Inside an eager task run locally: as in a task, but a failed call raises a typed error, as on a backend."""

    typed_errors = True


PromiseOutputs = Union[Promise, VoidPromise, Tuple[Promise, ...], None]


def promises_for(task: RunnableTask, outputs: LiteralMap) -> PromiseOutputs:
    """The promises a workflow body receives for a call's output literals."""
    names = list(task.interface.outputs)
    if not names:
        return VoidPromise(task.name)
    return create_task_output([Promise(name, outputs.literals[name]) for name in names], task.python_interface)


class LocalWorkflowRunner:
    """Inside a workflow (or dynamic task) body run locally: outputs are promises holding literals."""

    checks_required = True

    def run(
        self, ctx: FlyteContext, task: RunnableTask, inputs: Dict[str, Any], overrides: CallOverrides
    ) -> PromiseOutputs:
        state = ctx.execution_state
        if state is not None and state.branch_eval_mode == BranchEvalMode.BRANCH_SKIPPED:
            return _skipped(task)
        policy = _policy(task, overrides, typed_errors=False)
        return promises_for(task, off_loop_thread(run_call, task, ctx, inputs, policy))

    async def run_async(
        self, ctx: FlyteContext, task: RunnableTask, inputs: Dict[str, Any], overrides: CallOverrides
    ) -> Any:
        raise TypeError(f"Task '{task.name}' was awaited inside a workflow run; workflow bodies are synchronous.")


def _skipped(task: RunnableTask) -> PromiseOutputs:
    interface = task.python_interface
    if not interface.inputs and not interface.outputs:
        return None
    if not interface.outputs:
        return VoidPromise(task.name)
    return create_task_output([Promise(name, None) for name in interface.outputs], interface)
