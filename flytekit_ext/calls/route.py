"""The one place that decides what calling a task means."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Sequence

from flytekit.core.context_manager import ExecutionState, FlyteContext

from flytekit_ext.calls.arguments import bind
from flytekit_ext.calls.backend import EagerBackendRunner
from flytekit_ext.calls.compile import CompileRunner
from flytekit_ext.calls.eager import BackendEagerBody, EagerBody, LocalEagerBody
from flytekit_ext.calls.local import LocalRunner, WorkflowLocalRunner
from flytekit_ext.calls.overrides import NO_OVERRIDES, CallOverrides
from flytekit_ext.calls.runner import Runner
from flytekit_ext.local.context import current_context

if TYPE_CHECKING:
    from flytekit.core.base_task import PythonTask

_compile = CompileRunner()
_local = LocalRunner()
_workflow_local = WorkflowLocalRunner()
_eager_backend = EagerBackendRunner()

_Mode = ExecutionState.Mode
_PROMISE_MODES = (_Mode.LOCAL_WORKFLOW_EXECUTION, _Mode.LOCAL_DYNAMIC_TASK_EXECUTION)


def runner_for(ctx: FlyteContext) -> Runner:
    """The runner for a call made in ``ctx``.

    * compiling a workflow (or a dynamic task's workflow): a node;
    * inside an eager task on a backend: an execution launched by its controller;
    * inside a workflow or dynamic task run locally: run here, outputs as promises;
    * anywhere else (top level, inside a task, inside an eager task run locally): run here, native values.
    """
    compilation = ctx.compilation_state
    if compilation is not None and compilation.mode == 1:
        return _compile
    state = ctx.execution_state
    mode = state.mode if state is not None else None
    if mode is _Mode.EAGER_EXECUTION:
        return _eager_backend
    if mode in _PROMISE_MODES:
        return _workflow_local
    return _local


def eager_body_for(ctx: FlyteContext) -> EagerBody:
    """Where an eager task's body runs: on the backend inside a pod (``pyflyte-execute``), else here."""
    state = ctx.execution_state
    if state is not None and state.mode is _Mode.TASK_EXECUTION:
        return BackendEagerBody()
    return LocalEagerBody()


def in_workflow_body(ctx: FlyteContext) -> bool:
    """Whether code here is a workflow body, compiled or run with promises, rather than a task's code."""
    state = ctx.execution_state
    return ctx.compilation_state is not None or (state is not None and state.mode is _Mode.LOCAL_WORKFLOW_EXECUTION)


def call(task: PythonTask, args: Sequence[Any], kwargs: Dict[str, Any], overrides: CallOverrides = NO_OVERRIDES) -> Any:
    """``task(*args, **kwargs)``: for an async task, an awaitable unless the context needs the result now."""
    ctx = current_context()
    runner = runner_for(ctx)
    inputs = bind(task, args, kwargs, check_required=runner.checks_required)
    if getattr(task, "_awaitable_call", False) and not runner.completes_calls:
        return runner.run_async(ctx, task, inputs, overrides)
    return runner.run(ctx, task, inputs, overrides)


async def call_async(
    task: PythonTask, args: Sequence[Any], kwargs: Dict[str, Any], overrides: CallOverrides = NO_OVERRIDES
) -> Any:
    """``await task.aio(*args, **kwargs)``, for sync and async tasks alike."""
    ctx = current_context()
    runner = runner_for(ctx)
    inputs = bind(task, args, kwargs, check_required=runner.checks_required)
    return await runner.run_async(ctx, task, inputs, overrides)
