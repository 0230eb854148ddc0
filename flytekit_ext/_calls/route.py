"""The one place that decides what calling a task means."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any, Callable, Dict, Sequence, Tuple

from flytekit.core.context_manager import ExecutionState, FlyteContext

from flytekit_ext._calls.arguments import bind
from flytekit_ext._calls.child_execution import ChildExecutionRunner
from flytekit_ext._calls.in_process import InProcessRunner, LocalEagerRunner, LocalWorkflowRunner
from flytekit_ext._calls.node import NodeRunner
from flytekit_ext._calls.overrides import NO_OVERRIDES, CallOverrides
from flytekit_ext._calls.runner import Runner
from flytekit_ext._runtime.context import current_context

if TYPE_CHECKING:
    from flytekit_ext.tasks.base import TaskCalls

_node = NodeRunner()
_in_process = InProcessRunner()
_local_eager = LocalEagerRunner()
_local_workflow = LocalWorkflowRunner()
_child_execution = ChildExecutionRunner()

_Mode = ExecutionState.Mode
#: flytekit's ``CompilationState.mode`` while a workflow (or a dynamic task's workflow) is being compiled.
COMPILING = 1
_LOCAL_WORKFLOW_MODES = (_Mode.LOCAL_WORKFLOW_EXECUTION, _Mode.LOCAL_DYNAMIC_TASK_EXECUTION)


def _nothing() -> None:
    return None


#: The last context :func:`runner_for` was asked about, weakly, and its runner (one tuple, swapped whole, so a
#: thread never reads one context's reference with another's runner).
_last_answer: Tuple[Callable[[], Any], Runner] = (_nothing, _in_process)


def runner_for(ctx: FlyteContext) -> Runner:
    """The runner for a call made in ``ctx``: :func:`decide`'s answer, remembered for the last context asked.

    What :func:`decide` reads is never changed once a context is made (contexts and compilation states are
    frozen, and flytekit sets an execution state's mode only when building it), so the answer for one context
    object never changes; calls and ``forward`` are made from the same context again and again. Only a weak
    reference is kept: the context is not held alive for the answer.
    """
    global _last_answer
    asked, runner = _last_answer
    if asked() is ctx:
        return runner
    runner = decide(ctx)
    _last_answer = (weakref.ref(ctx), runner)
    return runner


def decide(ctx: FlyteContext) -> Runner:
    """The runner for a call made in ``ctx``.

    * compiling a workflow (or a dynamic task's workflow): a node;
    * inside an eager task on a backend: an execution launched by its controller;
    * inside an eager task run locally: run here, native values, failures as typed errors (as on a backend);
    * inside a workflow or dynamic task run locally: run here, outputs as promises;
    * anywhere else (top level, inside a task): run here, native values.
    """
    compilation = ctx.compilation_state
    if compilation is not None and compilation.mode == COMPILING:
        return _node
    state = ctx.execution_state
    mode = state.mode if state is not None else None
    if mode is _Mode.EAGER_EXECUTION:
        return _child_execution
    if mode is _Mode.EAGER_LOCAL_EXECUTION:
        return _local_eager
    if mode in _LOCAL_WORKFLOW_MODES:
        return _local_workflow
    return _in_process


def call(task: TaskCalls, args: Sequence[Any], kwargs: Dict[str, Any], overrides: CallOverrides = NO_OVERRIDES) -> Any:
    """``task(*args, **kwargs)``: for an async task an awaitable, except in a workflow body, which cannot await."""
    ctx = current_context()
    runner = runner_for(ctx)
    inputs = bind(task, args, kwargs, check_required=runner.checks_required)
    if task.is_async and not runner.in_workflow_body:
        return runner.run_async(ctx, task, inputs, overrides)
    return runner.run(ctx, task, inputs, overrides)


async def call_async(
    task: TaskCalls, args: Sequence[Any], kwargs: Dict[str, Any], overrides: CallOverrides = NO_OVERRIDES
) -> Any:
    """``await task.aio(*args, **kwargs)``, for sync and async tasks alike."""
    ctx = current_context()
    runner = runner_for(ctx)
    inputs = bind(task, args, kwargs, check_required=runner.checks_required)
    return await runner.run_async(ctx, task, inputs, overrides)
