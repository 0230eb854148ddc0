"""Calls run in this process: at top level, inside tasks and local eager tasks, and in local workflow bodies."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Dict, Tuple, Union

from flytekit.core.context_manager import BranchEvalMode, FlyteContext
from flytekit.core.promise import Promise, VoidPromise, create_task_output
from flytekit.loggers import logger
from flytekit.models.literals import LiteralMap

from flytekit_ext._calls.overrides import CallOverrides, display_name
from flytekit_ext._local.run import native_result, native_result_async, run_call, run_local_async
from flytekit_ext._runtime.loops import in_worker_thread, off_loop_thread

if TYPE_CHECKING:
    from flytekit_ext.tasks.base import TaskCalls


def _log_start(task: TaskCalls, overrides: CallOverrides) -> None:
    if logger.isEnabledFor(logging.INFO):
        logger.info(f"{display_name(task, overrides.short_name)}: running {task.name} locally")


def _native_call(task: TaskCalls, ctx: FlyteContext, inputs: Dict[str, Any]) -> Any:
    return native_result(task, ctx, run_call(task, ctx, inputs))


class InProcessRunner:
    """Returns native values, as a plain Python call would."""

    in_workflow_body = False
    checks_required = True

    def run(self, ctx: FlyteContext, task: TaskCalls, inputs: Dict[str, Any], overrides: CallOverrides) -> Any:
        _log_start(task, overrides)
        return off_loop_thread(_native_call, task, ctx, inputs)

    async def run_async(
        self, ctx: FlyteContext, task: TaskCalls, inputs: Dict[str, Any], overrides: CallOverrides
    ) -> Any:
        if task.is_async:
            _log_start(task, overrides)
            return await native_result_async(task, ctx, await run_local_async(task, ctx, inputs))
        # A synchronous body must not block the event loop, and may itself call asyncio.run: a worker thread.
        return await in_worker_thread(self.run, ctx, task, inputs, overrides)


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
    checks_required = True

    def run(
        self, ctx: FlyteContext, task: TaskCalls, inputs: Dict[str, Any], overrides: CallOverrides
    ) -> PromiseOutputs:
        state = ctx.execution_state
        if state is not None and state.branch_eval_mode == BranchEvalMode.BRANCH_SKIPPED:
            return _skipped(task)
        _log_start(task, overrides)
        return promises_for(task, off_loop_thread(run_call, task, ctx, inputs))

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
