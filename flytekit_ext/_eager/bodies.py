"""Where the body of an eager task runs, and so where the tasks it calls go.

Inside ``pyflyte-execute`` on a backend (flytekit's ``TASK_EXECUTION`` mode) the body runs in a
:func:`~flytekit_ext._eager.session.backend_session`, whose controller launches every call as an execution.
Anywhere else it runs in ``EAGER_LOCAL_EXECUTION`` mode and its calls run in this process.
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

from flytekit_ext._calls.overrides import display_name
from flytekit_ext._eager.session import backend_session, in_mode
from flytekit_ext._runtime.context import current_context, entered
from flytekit_ext._runtime.loops import in_worker_thread

if TYPE_CHECKING:
    from flytekit_ext.tasks.async_function import AsyncPythonFunctionTask


class EagerBody(Protocol):
    async def run(self, task: AsyncPythonFunctionTask, inputs: Dict[str, Any]) -> Any:
        """Await the eager task's function on ``inputs``."""


def _function(task: AsyncPythonFunctionTask) -> Any:
    # @eager accepts a plain function (with a warning, as flytekit accepts it); it cannot run as a body.
    if not inspect.iscoroutinefunction(task.task_function):
        raise TypeError(f"Eager task '{task.name}' cannot run: its function is not an async function")
    return task.task_function


def _awaited(task: AsyncPythonFunctionTask, result: Any) -> Any:
    """The body's result, which must not be (or hold) an awaitable it forgot to await: that is a bug in the body.

    flytekit fails on it too, only later and less clearly (or not at all for a task without outputs); awaiting it
    here instead would hide the bug.
    """
    for value in result if isinstance(result, tuple) else (result,):
        if inspect.isawaitable(value):
            if inspect.iscoroutine(value):
                value.close()  # never to run: no "was never awaited" warning on top of this error
            raise TypeError(
                f"Eager task '{task.name}' returned a {type(value).__name__} that it never awaited; "
                f"await it in the body (return await ...)"
            )
    return result


class LocalEagerBody:
    async def run(self, task: AsyncPythonFunctionTask, inputs: Dict[str, Any]) -> Any:
        function = _function(task)
        with entered(in_mode(current_context(), ExecutionState.Mode.EAGER_LOCAL_EXECUTION)):
            return _awaited(task, await function(**inputs))


class BackendEagerBody:
    def __init__(self, remote: Any | None = None, settings: SerializationSettings | None = None) -> None:
        self._remote = remote
        self._settings = settings

    async def run(self, task: AsyncPythonFunctionTask, inputs: Dict[str, Any]) -> Any:
        function = _function(task)
        session = backend_session(display_name(task), current_context(), self._remote, self._settings)
        failure: EagerException | None = None
        with session as (body_ctx, controller), entered(body_ctx):
            try:
                result = _awaited(task, await function(**inputs))
            except BaseException as error:
                # Children the body started and stopped waiting for must not outlive it (the failure node
                # would terminate them too, but only once the backend schedules it).
                reason = f"eager execution {controller.tag} failed: {type(error).__name__}"
                await in_worker_thread(controller.terminate_running, reason)
                if not isinstance(error, EagerException):
                    raise
                logger.error(f"Eager task {task.name} failed because a child execution failed: {error}")
                failure = error
            Deck("Eager Executions", controller.render_html())
        if failure is not None:
            raise FlyteNonRecoverableSystemException(failure)
        return result


def body_for(ctx: FlyteContext) -> EagerBody:
    """Where an eager task's body runs: on the backend inside a pod (``pyflyte-execute``), else here."""
    state = ctx.execution_state
    if state is not None and state.mode is ExecutionState.Mode.TASK_EXECUTION:
        return BackendEagerBody()
    return LocalEagerBody()
