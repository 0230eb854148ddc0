"""Where the body of an eager task runs, and so where the tasks it calls go.

Inside ``pyflyte-execute`` on a backend (flytekit's ``TASK_EXECUTION`` mode) the body runs in a
:func:`~flytekit_ext._eager.session.backend_session`, whose controller launches every call as an execution.
Anywhere else it runs in ``EAGER_LOCAL_EXECUTION`` mode and its calls run in this process. Either way the
body's ``flytekit_ext.trace`` calls are recorded (:mod:`.traces`) and shown in a "Traces" deck.
"""

from __future__ import annotations

import inspect
import sys
from typing import Any, Dict, Optional, Protocol

from flytekit.configuration import SerializationSettings
from flytekit.core.context_manager import ExecutionState, FlyteContext
from flytekit.deck import Deck
from flytekit.exceptions.system import FlyteNonRecoverableSystemException
from flytekit.loggers import logger

from flytekit_ext._core import enclosing
from flytekit_ext._core.child_calls import ChildCalls
from flytekit_ext._core.contexts import current_context, entered
from flytekit_ext._core.loops import in_worker_thread
from flytekit_ext._core.naming import display_name
from flytekit_ext._core.signals import guarded
from flytekit_ext._core.where import Where, where
from flytekit_ext._eager.session import backend_session, in_mode
from flytekit_ext._eager.traces import TraceRecorder
from flytekit_ext._local.call_log import CallLog, timeline_folder
from flytekit_ext._local.live_view import shown
from flytekit_ext._runtime.failures import is_child_failure
from flytekit_ext._runtime.task import RunnableTask
from flytekit_ext._runtime.unawaited import awaitables_in, described
from flytekit_ext.errors import BaseRuntimeError


class EagerBody(Protocol):
    async def run(self, task: RunnableTask, inputs: Dict[str, Any]) -> Any:
        """Await the eager task's function on ``inputs``."""


def _function(task: Any) -> Any:
    # @eager accepts a plain function (with a warning, as flytekit accepts it); it cannot run as a body.
    if not inspect.iscoroutinefunction(task.task_function):
        raise TypeError(f"Eager task '{task.name}' cannot run: its function is not an async function")
    return task.task_function


async def _run_with_children(children: ChildCalls, function: Any, inputs: Dict[str, Any]) -> Any:
    """Await the body; whether it returns or raises, its child calls still running are ended first."""
    try:
        result = await function(**inputs)
    except BaseException as error:
        await children.close(f"{children.owner} failed: {type(error).__name__}")
        raise
    await children.close(f"{children.owner} returned without waiting for it")
    return result


def _show_traces(recorder: TraceRecorder) -> None:
    if recorder.records:
        Deck("Traces", recorder.render_html())


#: The most bars the "Child calls" deck draws: a glance at the run, thousands of rows tall otherwise (and most of
#: the cost of an eager run's small child calls, which draw their bars as it ends); the page written to
#: ``FLYTEKIT_EXT_TIMELINE_DIR`` draws every call.
DECK_BARS = 200


def _show_calls(log: CallLog) -> None:
    """The child calls' timeline as a deck (and a file, if asked for)."""
    if log.records:
        Deck("Child calls", log.timeline_html(most=DECK_BARS))
        folder = timeline_folder()
        if folder is not None:
            # Printed, not logged: the user asked for the file and needs its path, whatever the log level.
            print(
                f"flytekit_ext: the timeline of {log.owner}'s child calls: {log.write_timeline(folder)}",
                file=sys.stderr,
            )


def _checkpoint_of(ctx: FlyteContext) -> Optional[Any]:
    params = ctx.user_space_params
    if params is None:
        return None
    try:
        return params.checkpoint
    except NotImplementedError:  # no checkpoint location given (a run outside a pod)
        return None


def _awaited(task: Any, result: Any) -> Any:
    """The body's result, which must not be (or hold) an awaitable it forgot to await: that is a bug in the body.

    flytekit fails on it too, only later and less clearly (or not at all for a task without outputs); awaiting it
    here instead would hide the bug.
    """
    found = awaitables_in(result)
    if found:
        raise TypeError(
            f"Eager task '{task.name}' returned a {type(found[0][1]).__name__} that it never awaited "
            f"({described(found[0][1])}); await it in the body (return await ...)"
        )
    return result


class LocalEagerBody:
    async def run(self, task: RunnableTask, inputs: Dict[str, Any]) -> Any:
        function = _function(task)
        local_ctx = in_mode(current_context(), ExecutionState.Mode.EAGER_LOCAL_EXECUTION)
        name = display_name(task)
        with entered(local_ctx):
            children = ChildCalls(f"eager task {name}")
            log, recorder = CallLog(name), TraceRecorder()
            try:
                with shown(log) as view:
                    run = enclosing.changed(
                        children=children, calls=log, traces=recorder, live=view or enclosing.current().live
                    )
                    with (
                        enclosing.within(run),
                        guarded(lambda: f"{children.owner} ({children.running} child calls running)"),
                    ):
                        return _awaited(task, await _run_with_children(children, function, inputs))
            finally:
                _show_traces(recorder)
                _show_calls(log)


class BackendEagerBody:
    def __init__(self, remote: Any | None = None, settings: SerializationSettings | None = None) -> None:
        self._remote = remote
        self._settings = settings

    async def run(self, task: RunnableTask, inputs: Dict[str, Any]) -> Any:
        function = _function(task)
        ctx = current_context()
        checkpoint = _checkpoint_of(ctx)
        # Traced calls an earlier attempt completed are kept in the checkpoint the cluster hands this attempt.
        recorder = (
            TraceRecorder() if checkpoint is None else await in_worker_thread(TraceRecorder.for_checkpoint, checkpoint)
        )
        session = backend_session(display_name(task), ctx, self._remote, self._settings)
        failure: BaseException | None = None
        with session as (body_ctx, controller), entered(body_ctx):
            children = ChildCalls(controller.description)
            try:
                # Children the body started and stopped waiting for are cancelled, which terminates their
                # executions (the failure node would too, but only once the backend schedules it).
                try:
                    with enclosing.within(enclosing.changed(children=children, traces=recorder)):
                        result = _awaited(task, await _run_with_children(children, function, inputs))
                finally:
                    _show_traces(recorder)
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
    return BackendEagerBody() if where(ctx) is Where.POD else LocalEagerBody()
