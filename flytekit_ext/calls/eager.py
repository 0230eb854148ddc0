"""Where the body of an eager task runs, and so where the tasks it calls go.

Run locally, the body runs in ``EAGER_LOCAL_EXECUTION`` mode and its calls run in this process; on a
backend (inside ``pyflyte-execute``), it runs in ``EAGER_EXECUTION`` mode with a controller that launches
every call as an execution.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any, Dict, Protocol

from flytekit.configuration import SerializationSettings
from flytekit.core.context_manager import ExecutionState, FlyteContext
from flytekit.deck import Deck
from flytekit.exceptions.eager import EagerException
from flytekit.exceptions.system import FlyteNonRecoverableSystemException
from flytekit.loggers import logger

from flytekit_ext.backend.controller import EagerController, install_signal_handlers, start_controller
from flytekit_ext.local.context import current_context, derived, entered, with_mode
from flytekit_ext.local.loops import in_worker_thread, run_coroutine

if TYPE_CHECKING:
    from flytekit.core.python_function_task import PythonFunctionTask


class EagerBody(Protocol):
    async def run(self, task: PythonFunctionTask, inputs: Dict[str, Any]) -> Any:
        """Await the eager task's function."""

    def run_sync(self, task: PythonFunctionTask, inputs: Dict[str, Any]) -> Any:
        """Run the eager task's function to completion from synchronous code."""


def _body(task: PythonFunctionTask) -> Any:
    function = task.task_function
    if not inspect.iscoroutinefunction(function):
        raise TypeError(f"Eager task '{task.name}' cannot run: its function is not an async function")
    return function


def _in_mode(ctx: FlyteContext, mode: ExecutionState.Mode) -> FlyteContext:
    state = ctx.execution_state
    if state is None:
        state = ctx.new_execution_state()
    return derived(ctx, execution_state=with_mode(state, mode))


class LocalEagerBody:
    async def run(self, task: PythonFunctionTask, inputs: Dict[str, Any]) -> Any:
        with entered(_in_mode(current_context(), ExecutionState.Mode.EAGER_LOCAL_EXECUTION)):
            return await _body(task)(**inputs)

    def run_sync(self, task: PythonFunctionTask, inputs: Dict[str, Any]) -> Any:
        return run_coroutine(self.run(task, inputs))


class BackendEagerBody:
    def __init__(self, remote: Any | None = None, settings: SerializationSettings | None = None) -> None:
        self._remote = remote
        self._settings = settings

    def _short_name(self, task: PythonFunctionTask) -> str:
        return str(getattr(task, "short_name", None) or task.name.split(".")[-1])

    async def run(self, task: PythonFunctionTask, inputs: Dict[str, Any]) -> Any:
        ctx = current_context()
        if ctx.worker_queue is None:
            controller = start_controller(self._short_name(task), ctx, self._remote, self._settings)
            ctx = ctx.with_worker_queue(controller).build()
        failure: EagerException | None = None
        with entered(_in_mode(ctx, ExecutionState.Mode.EAGER_EXECUTION)) as body_ctx:
            queue = body_ctx.worker_queue
            try:
                result = await _body(task)(**inputs)
            except BaseException as error:
                # Children the body started and stopped waiting for must not outlive it (the failure node
                # would terminate them too, but only once the backend schedules it).
                if isinstance(queue, EagerController):
                    reason = f"eager execution {queue.tag} failed: {type(error).__name__}"
                    await in_worker_thread(queue.terminate_running, reason)
                if not isinstance(error, EagerException):
                    raise
                logger.error(f"Eager task {task.name} failed because a child execution failed: {error}")
                failure = error
            if queue is not None:
                Deck("Eager Executions", queue.render_html())
        if failure is not None:
            raise FlyteNonRecoverableSystemException(failure)
        return result

    def run_sync(self, task: PythonFunctionTask, inputs: Dict[str, Any]) -> Any:
        ctx = current_context()
        if ctx.worker_queue is None:
            # Built here, on the thread pyflyte-execute runs the task on, so signal handlers can be installed.
            controller = start_controller(self._short_name(task), ctx, self._remote, self._settings)
            install_signal_handlers(controller)
            ctx = ctx.with_worker_queue(controller).build()
        with entered(ctx):
            return run_coroutine(self.run(task, inputs))
