"""The one place that decides what calling a task means."""

from __future__ import annotations

from typing import Any, Coroutine, Dict, Sequence

from flytekit_ext._calls.arguments import bind
from flytekit_ext._calls.child_execution import ChildExecutionRunner
from flytekit_ext._calls.in_process import InProcessRunner, LocalEagerRunner, LocalWorkflowRunner
from flytekit_ext._calls.node import NodeRunner
from flytekit_ext._calls.overrides import NO_OVERRIDES, CallOverrides
from flytekit_ext._calls.runner import CallableTask, Runner
from flytekit_ext._core.contexts import current_context
from flytekit_ext._core.where import Where, where

_in_process = InProcessRunner()

#: Which runner carries out a call made where.
RUNNERS: Dict[Where, Runner] = {
    # compiling a workflow (or a dynamic task's workflow): a node
    Where.COMPILING: NodeRunner(),
    # inside an eager task on a backend: an execution launched by its controller
    Where.BACKEND_EAGER: ChildExecutionRunner(),
    # inside an eager task run locally: run here, native values, failures as typed errors (as on a backend)
    Where.LOCAL_EAGER: LocalEagerRunner(),
    # inside a workflow or dynamic task run locally: run here, outputs as promises
    Where.LOCAL_WORKFLOW: LocalWorkflowRunner(),
    # anywhere else (top level, inside a task, in a pod): run here, native values
    Where.LOCAL_TASK: _in_process,
    Where.POD: _in_process,
    Where.OUTSIDE: _in_process,
}


def call(
    task: CallableTask, args: Sequence[Any], kwargs: Dict[str, Any], overrides: CallOverrides = NO_OVERRIDES
) -> Any:
    """``task(*args, **kwargs)``: for an async task an awaitable, except in a workflow body, which cannot await."""
    ctx = current_context()
    place = where(ctx)
    runner = RUNNERS[place]
    inputs = bind(task.input_signature, args, kwargs, check_required=runner.checks_required)
    if task.is_async and not place.in_workflow_body:
        return _named(runner.run_async(ctx, task, inputs, overrides), task)
    return runner.run(ctx, task, inputs, overrides)


def call_async(
    task: CallableTask, args: Sequence[Any], kwargs: Dict[str, Any], overrides: CallOverrides = NO_OVERRIDES
) -> Coroutine[Any, Any, Any]:
    """``task.aio(*args, **kwargs)``, for sync and async tasks alike: the coroutine to await."""
    return _named(_call_async(task, args, kwargs, overrides), task)


async def _call_async(task: CallableTask, args: Sequence[Any], kwargs: Dict[str, Any], overrides: CallOverrides) -> Any:
    ctx = current_context()
    runner = RUNNERS[where(ctx)]
    inputs = bind(task.input_signature, args, kwargs, check_required=runner.checks_required)
    return await runner.run_async(ctx, task, inputs, overrides)


def _named(coroutine: Coroutine[Any, Any, Any], task: CallableTask) -> Coroutine[Any, Any, Any]:
    """The coroutine of a call, named after the call: Python's "coroutine '...' was never awaited" warning and the
    coroutine's repr (in an error about a value that should not be one) then show the task called, not the
    runner's method that carries the call out."""
    coroutine.__qualname__ = f"{task.name}(...)"  # type: ignore[attr-defined]  # an async def's coroutine has one
    return coroutine
