"""Where the body of an eager task runs, and so where the tasks it calls go.

Inside ``pyflyte-execute`` on a backend (flytekit's ``TASK_EXECUTION`` mode) the body runs in a
:func:`~flytekit_ext._eager.session.backend_session`, whose controller launches every call as an execution.
Anywhere else it runs in ``EAGER_LOCAL_EXECUTION`` mode and its calls run in this process. Either way the
body's ``flytekit_ext.trace`` calls are recorded (:mod:`.traces`) and shown in a "Traces" deck.
"""

from __future__ import annotations

import inspect
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Dict, Iterator, Optional, Protocol

from flytekit.configuration import SerializationSettings
from flytekit.core.context_manager import ExecutionState, FlyteContext
from flytekit.deck import Deck
from flytekit.exceptions.system import FlyteNonRecoverableSystemException
from flytekit.loggers import logger

from flytekit_ext._calls.overrides import display_name
from flytekit_ext._eager.call_log import CallLog, timeline_folder
from flytekit_ext._eager.session import backend_session, in_mode
from flytekit_ext._eager.traces import TraceRecorder
from flytekit_ext._local.live_view import shown
from flytekit_ext._runtime.context import current_context, entered
from flytekit_ext._runtime.enclosing import CALLS, TRACES
from flytekit_ext._runtime.failures import is_child_failure
from flytekit_ext._runtime.interrupts import guarded
from flytekit_ext._runtime.loops import in_worker_thread
from flytekit_ext._runtime.scope import ChildScope, child_scope
from flytekit_ext.errors import BaseRuntimeError

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


async def _run_in_scope(scope: ChildScope, function: Any, inputs: Dict[str, Any]) -> Any:
    """Await the body; whether it returns or raises, its child calls still running are ended first."""
    try:
        result = await function(**inputs)
    except BaseException as error:
        await scope.close(f"{scope.owner} failed: {type(error).__name__}")
        raise
    await scope.close(f"{scope.owner} returned without waiting for it")
    return result


@contextmanager
def _recording(recorder: TraceRecorder) -> Iterator[TraceRecorder]:
    """The block's traced calls go to ``recorder``; they are shown in a deck when the block ends."""
    token = TRACES.set(recorder)
    try:
        yield recorder
    finally:
        TRACES.reset(token)
        if recorder.records:
            Deck("Traces", recorder.render_html())


@contextmanager
def _logging_calls(log: CallLog) -> Iterator[CallLog]:
    """The block's task calls are recorded in ``log``; their timeline is a deck (and a file, if asked for)."""
    token = CALLS.set(log)
    try:
        with shown(log):  # live, on a terminal
            yield log
    finally:
        CALLS.reset(token)
        if log.records:
            Deck("Child calls", log.timeline_html())
            folder = timeline_folder()
            if folder is not None:
                logger.info(f"Timeline of {log.owner}'s child calls: {log.write_timeline(folder)}")


def _checkpoint_of(ctx: FlyteContext) -> Optional[Any]:
    params = ctx.user_space_params
    if params is None:
        return None
    try:
        return params.checkpoint
    except NotImplementedError:  # no checkpoint location given (a run outside a pod)
        return None


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
        local_ctx = in_mode(current_context(), ExecutionState.Mode.EAGER_LOCAL_EXECUTION)
        name = display_name(task)
        with entered(local_ctx), child_scope(f"eager task {name}") as scope, _logging_calls(CallLog(name)):
            with guarded(lambda: f"{scope.owner} ({scope.running} child calls running)"), _recording(TraceRecorder()):
                return _awaited(task, await _run_in_scope(scope, function, inputs))


class BackendEagerBody:
    def __init__(self, remote: Any | None = None, settings: SerializationSettings | None = None) -> None:
        self._remote = remote
        self._settings = settings

    async def run(self, task: AsyncPythonFunctionTask, inputs: Dict[str, Any]) -> Any:
        function = _function(task)
        ctx = current_context()
        checkpoint = _checkpoint_of(ctx)
        # Traced calls an earlier attempt completed are kept in the checkpoint the cluster hands this attempt.
        recorder = (
            TraceRecorder() if checkpoint is None else await in_worker_thread(TraceRecorder.for_checkpoint, checkpoint)
        )
        session = backend_session(display_name(task), ctx, self._remote, self._settings)
        failure: BaseException | None = None
        with (
            session as (body_ctx, controller),
            entered(body_ctx),
            child_scope(controller.description) as scope,
        ):
            try:
                # Children the body started and stopped waiting for are cancelled, which terminates their
                # executions (the failure node would too, but only once the backend schedules it).
                with _recording(recorder):
                    result = _awaited(task, await _run_in_scope(scope, function, inputs))
            except BaseException as error:
                if not is_child_failure(error):
                    raise
                logger.error(f"Eager task {task.name} failed because a child execution failed: {error}")
                failure = error
            finally:
                Deck("Eager Executions", controller.render_html())
        if isinstance(failure, BaseRuntimeError):
            # with the child's code, naming the child, and not retried (see _runtime.failures.recoverable)
            raise controller.parent_failure(failure) from failure
        if failure is not None:
            raise FlyteNonRecoverableSystemException(failure)
        return result


def body_for(ctx: FlyteContext) -> EagerBody:
    """Where an eager task's body runs: on the backend inside a pod (``pyflyte-execute``), else here."""
    state = ctx.execution_state
    if state is not None and state.mode is ExecutionState.Mode.TASK_EXECUTION:
        return BackendEagerBody()
    return LocalEagerBody()
