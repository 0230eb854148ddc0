"""The eager controller: turns the task calls of an eager task running on a backend into executions.

One coroutine per call converts its inputs to literals, launches its execution, waits for it to end and returns
its outputs as native values, so calls awaited together run together, however many. The phases of all children
are learnt by one listing loop (:mod:`.watch`); a child's outputs are asked for once it has succeeded, so a child
costs about two admin calls (``CreateExecution``, ``GetExecutionData``) and a share of the listings. Launches and
output reads are blocking gRPC calls on worker threads, at most ``max_admin_calls`` at once; when the admin
pushes back (``RESOURCE_EXHAUSTED``, ``UNAVAILABLE``) every launch waits, and a launch that failed in a way that
may be passing is tried again under the same name (:mod:`.launch`). A call that is cancelled (``map`` stopping
early, a task group failing) terminates its execution: nothing it started is left running. On SIGTERM or SIGINT
every running child is terminated before the process exits.

Child executions are named from the parent execution, the call's group and short name, how many calls with that
group and short name came before, and the hash of the input literals (:mod:`.names`), so a retried parent finds
its earlier children. They carry flytekit's eager labels, which is how the listing loop and the failure handler
(:mod:`flytekit_ext._tasks.failure`) find them, and the ``flytekit_ext.group`` they were started in. A child that
fails raises a :mod:`flytekit_ext.errors` error built from the child execution's error (its ``worker`` is the
execution's name); an eager task that fails with it names that execution (with its console link, when the remote
knows the console), its task and its error code (:meth:`EagerController.parent_failure`).
"""

from __future__ import annotations

import asyncio
import copy
import enum
import html
import os
import threading
import time
import weakref
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple

from flytekit.configuration import ImageConfig, SerializationSettings
from flytekit.core.constants import EAGER_ROOT_ENV_NAME
from flytekit.core.context_manager import FlyteContext
from flytekit.core.type_engine import LiteralsResolver
from flytekit.loggers import logger
from flytekit.models.core.execution import WorkflowExecutionPhase
from flytekit.models.literals import LiteralMap

from flytekit_ext._core import enclosing
from flytekit_ext._core.backoff import Backoff
from flytekit_ext._core.contexts import current_context
from flytekit_ext._core.loops import in_worker_thread, settle, start_in_worker_thread
from flytekit_ext._core.naming import display_name
from flytekit_ext._eager import names
from flytekit_ext._eager.launch import Launched, Launcher, pushback, status_code, transient
from flytekit_ext._eager.watch import Ended, StatusWatcher
from flytekit_ext._runtime import literals
from flytekit_ext._runtime.failures import as_child_failure
from flytekit_ext._runtime.typed_errors import from_execution
from flytekit_ext.errors import ActionAbortedError, BaseRuntimeError, TaskTimeoutError


class ChildPhase(enum.Enum):
    """Where one child call stands, as the controller sees it."""

    PENDING = "PENDING"  # not launched yet, or its launch has not returned
    RUNNING = "RUNNING"  # launched, not finished
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    ABORTED = "ABORTED"
    TIMED_OUT = "TIMED_OUT"
    CANCELLED = "CANCELLED"  # its call was cancelled, and the controller terminated the execution
    TERMINATED = "TERMINATED"  # the parent ended while it ran, and the controller terminated it


# Terminal phases of a failed child execution: ours, and how the error message says it.
_FAILED_PHASES = {
    WorkflowExecutionPhase.FAILED: (ChildPhase.FAILED, "failed"),
    WorkflowExecutionPhase.ABORTED: (ChildPhase.ABORTED, "was aborted"),
    WorkflowExecutionPhase.TIMED_OUT: (ChildPhase.TIMED_OUT, "timed out"),
}


def _child_error(phase: ChildPhase, ended: Ended, name: str) -> BaseRuntimeError:
    """What the call of child execution ``name``, which ended in ``phase``, raises: its own message, as the same
    failure raises locally; ``worker`` is the execution's name."""
    if phase is ChildPhase.ABORTED:
        reason = ended.abort_cause or (ended.error.message if ended.error is not None else "no reason given")
        error: BaseRuntimeError = ActionAbortedError(f"Child execution {name} was aborted: {reason}")
    elif phase is ChildPhase.TIMED_OUT:
        reason = ended.error.message if ended.error is not None else "no reason given"
        error = TaskTimeoutError(f"Child execution {name} timed out: {reason}")
    else:
        error = from_execution(ended.error)
    error.worker = name
    return as_child_failure(error)


POLL_SECONDS_ENV = "FLYTEKIT_EXT_EAGER_MAX_POLL_SECONDS"
#: How long a signal handler waits for launches in flight to return, so it can terminate what they create.
LAUNCH_WAIT_SECONDS = 30.0
#: Waits between tries of an admin call that failed in a passing way, and how long a call keeps trying.
ADMIN_RETRY = Backoff(first_s=0.5, factor=2.0, cap_s=10.0, jitter=0.5)
ADMIN_DEADLINE_SECONDS = 120.0


@dataclass(slots=True)
class ChildExecution:
    """One call of the eager task, as the controller tracks it (kept small: a run may make thousands)."""

    short_name: str
    entity_name: str
    name: str
    group: Optional[str] = None
    phase: ChildPhase = ChildPhase.PENDING
    outcome: str = ""
    launch: Optional[Future[Any]] = None  # the launch, while it runs on a worker thread


@dataclass
class EagerController:
    """Launches and awaits the child executions of one eager execution."""

    remote: Any
    settings: SerializationSettings
    tag: str
    root_tag: str
    exec_prefix: str
    max_admin_calls: int = 8
    first_poll_seconds: float = 0.1
    max_poll_seconds: float = field(default_factory=lambda: float(os.environ.get(POLL_SECONDS_ENV, "2")))
    children: List[ChildExecution] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _calls_per_name: Dict[str, int] = field(default_factory=dict, init=False, repr=False)
    _launcher: Launcher = field(init=False, repr=False)
    _watcher: StatusWatcher = field(init=False, repr=False)
    # A bound per event loop: a synchronous call in the body runs on a helper loop, and an asyncio semaphore
    # belongs to one loop.
    _slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = field(
        default_factory=weakref.WeakKeyDictionary, init=False, repr=False
    )
    _calm_until: float = field(default=0.0, init=False, repr=False)  # time.monotonic() pushed-back launches wait for
    _pushbacks: int = field(default=0, init=False, repr=False)  # pushbacks in a row

    def __post_init__(self) -> None:
        self._launcher = Launcher(self.remote, self.settings, self.tag, self.root_tag)
        poll = Backoff(first_s=self.first_poll_seconds, factor=2.0, cap_s=self.max_poll_seconds)
        self._watcher = StatusWatcher(self.remote, self._launcher.project, self._launcher.domain, self.tag, poll=poll)

    @property
    def description(self) -> str:
        """The eager execution this controller serves, as messages name it."""
        return f"eager execution {self.tag}"

    def close(self) -> None:
        """Stop following children (once the body has ended and its calls with it)."""
        self._watcher.close()

    def _next_index(self, key: str) -> int:
        with self._lock:
            index = self._calls_per_name.get(key, 0)
            self._calls_per_name[key] = index + 1
            return index

    # --- admin calls ------------------------------------------------------------------------------------------

    def _admin_slots(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        slots = self._slots.get(loop)
        if slots is None:
            slots = self._slots[loop] = asyncio.Semaphore(self.max_admin_calls)
        return slots

    async def _admin(
        self,
        what: str,
        fn: Callable[..., Any],
        *args: Any,
        child: Optional[ChildExecution] = None,
    ) -> Any:
        """``fn(*args)`` on a worker thread, within the bound on admin calls, tried again while it fails in a
        passing way (for up to :data:`ADMIN_DEADLINE_SECONDS`).

        With ``child``, the call is its launch: a launch cannot be recalled once sent, so if the call is cancelled
        meanwhile, the launch is waited for and what it created recorded, for the caller to terminate.
        """
        started = time.monotonic()
        failures = 0
        while True:
            calm = self._calm_until - time.monotonic()
            if calm > 0:
                await asyncio.sleep(calm)
            async with self._admin_slots():
                work = start_in_worker_thread(fn, *args)
                if child is not None:
                    child.launch = work
                try:
                    result = await asyncio.wrap_future(work)
                except asyncio.CancelledError:
                    done = await settle(work, fn)
                    if child is not None:
                        self._launched_as(child, done)
                    raise
                except Exception as error:
                    if child is not None:
                        self._launched_as(child, None)
                    failures += 1
                    delay = ADMIN_RETRY.delay(failures)
                    if not transient(error) or time.monotonic() - started + delay > ADMIN_DEADLINE_SECONDS:
                        raise
                    if pushback(error):
                        self._pushbacks += 1
                        self._calm_until = max(self._calm_until, time.monotonic() + ADMIN_RETRY.delay(self._pushbacks))
                    logger.warning(
                        f"Eager {self.tag}: {what} failed ({status_code(error)}: {error}); trying again in {delay:.1f}s"
                    )
                else:
                    self._pushbacks = 0
                    if child is not None:
                        self._launched_as(child, result)
                    return result
            await asyncio.sleep(delay)

    def _launched_as(self, child: ChildExecution, launched: Optional[Launched]) -> None:
        with self._lock:
            child.launch = None
            if launched is not None and child.phase is ChildPhase.PENDING:
                child.name = launched.name
                child.phase = ChildPhase.RUNNING

    # --- calls ----------------------------------------------------------------------------------------------

    def _prepared(self, entity: Any, inputs: Dict[str, Any]) -> Tuple[LiteralMap, str]:
        converted = self._launcher.input_literals(entity, inputs)
        return converted, names.inputs_digest(converted)

    async def submit(self, entity: Any, inputs: Dict[str, Any], short_name: Optional[str] = None) -> Any:
        """Run ``entity`` on ``inputs`` as a child execution and return its outputs as native values."""
        shown = display_name(entity, short_name)
        group = enclosing.current().group
        index = self._next_index(shown if group is None else f"{group}|{shown}")
        converted, digest = await in_worker_thread(self._prepared, entity, inputs)
        name = names.child_name(self.exec_prefix, self.tag, group, shown, index, digest)
        child = ChildExecution(shown, entity.name, name, group)
        with self._lock:
            self.children.append(child)
        in_group = f" in group '{group}'" if group is not None else ""
        logger.info(f"Eager {self.tag}: launching {entity.name}{in_group} as {child.name}")
        try:
            launched = await self._admin(
                f"launching {child.name}", self._launcher.launch, entity, name, converted, group, child=child
            )
            watching = self._watcher.watch(child.name, launched.existing)
            del converted, launched  # the literals may be large, and the execution has them now
            ended = await watching
            if ended.phase == WorkflowExecutionPhase.SUCCEEDED:
                child.phase = ChildPhase.SUCCEEDED
                return await self._admin(f"reading the outputs of {child.name}", self._outputs, entity, child.name)
            child.phase, how = _FAILED_PHASES[ended.phase]
            error = _child_error(child.phase, ended, child.name)
            child.outcome = f"{type(error).__name__} ({error.code}): {error}"
            logger.error(f"Child execution {child.name} ({shown}: {entity.name}) {how}: {child.outcome}")
            raise error
        except asyncio.CancelledError as cancelled:
            if child.phase is ChildPhase.RUNNING:
                child.phase = ChildPhase.CANCELLED
                reason = (
                    cancelled.args[0] if cancelled.args else f"the call of {shown} in eager {self.tag} was cancelled"
                )
                await asyncio.shield(self._terminate(child, str(reason)))
            raise
        finally:
            self._watcher.forget(child.name)

    async def add(self, entity: Any, input_kwargs: Dict[str, Any]) -> Any:
        """flytekit's worker-queue interface, used when a flytekit entity is called in our eager task."""
        return await self.submit(entity, input_kwargs)

    def parent_failure(self, error: BaseRuntimeError) -> BaseRuntimeError:
        """The error the eager task fails with when a child's failure ``error`` escapes its body: the same class
        and code, with a message that says which execution failed (with its console link, when the remote knows
        the console), of which task, with which code, so a user looking at the failed parent can go there."""
        with self._lock:
            child = next((c for c in self.children if c.name == error.worker), None)
        if child is None:
            return error
        url = self._launcher.console_url(child.name)
        where = f"child execution {child.name} (task {child.entity_name}{'; ' + url if url else ''})"
        failure = copy.copy(error)
        failure.args = (f"{where} failed with {error.code}: {error}",)
        return failure

    def _outputs(self, entity: Any, name: str) -> Any:
        outputs = self._launcher.output_literals(name)
        if not outputs.literals:
            return None
        if getattr(entity, "python_interface", None) is None or not hasattr(entity, "interface"):
            return LiteralsResolver(dict(outputs.literals)).as_python_native(None)
        return literals.call_result(current_context(), outputs, literals.TaskConverters.of(entity))

    async def _terminate(self, child: ChildExecution, reason: str) -> None:
        try:
            await in_worker_thread(self._launcher.terminate, child.name, reason)
            logger.warning(f"Terminated child execution {child.name}: {reason}")
        except Exception as error:  # noqa: BLE001 - report, and let the caller's cancellation go on
            logger.error(f"Could not terminate child execution {child.name}: {error}")

    def terminate_running(self, reason: str, launch_wait_seconds: float = LAUNCH_WAIT_SECONDS) -> int:
        """Terminate, from any thread, every child launched or being launched that has not finished.

        Launches still in flight are waited for (up to ``launch_wait_seconds`` in all) and what they create
        is terminated too. Returns how many children were terminated.
        """
        with self._lock:
            in_flight = [c for c in self.children if c.launch is not None]
        deadline = time.monotonic() + launch_wait_seconds
        for child in in_flight:
            launch = child.launch
            if launch is None:
                continue
            try:
                self._launched_as(child, launch.result(timeout=max(0.0, deadline - time.monotonic())))
            except FutureTimeout:
                logger.error(f"Child execution {child.name} was still being launched; it may be left running")
            except Exception:  # noqa: BLE001 - a launch that failed created nothing to terminate
                self._launched_as(child, None)
        with self._lock:
            running = [c for c in self.children if c.phase is ChildPhase.RUNNING]
        for child in running:
            try:
                self._launcher.terminate(child.name, reason)
                child.phase = ChildPhase.TERMINATED
                logger.warning(f"Terminated child execution {child.name}: {reason}")
            except Exception as error:  # noqa: BLE001 - one child failing to stop must not keep the others running
                logger.error(f"Could not terminate child execution {child.name}: {error}")
        return len(running)

    def render_html(self) -> str:
        """The children of this eager execution, for its deck."""
        with self._lock:
            rows = "".join(
                f"<tr><td>{html.escape(c.short_name)}</td><td>{html.escape(c.group or '')}</td>"
                f"<td>{html.escape(c.entity_name)}</td><td>{html.escape(c.name)}</td><td>{c.phase.value}</td>"
                f"<td>{html.escape(c.outcome)}</td></tr>"
                for c in self.children
            )
        return (
            "<h2>Child executions</h2><table><tr><th>Call</th><th>Group</th><th>Task</th><th>Execution</th>"
            f"<th>Phase</th><th>Error</th></tr>{rows}</table>"
        )


def _execution_name(ctx: FlyteContext) -> str:
    params = ctx.user_space_params
    if params is None or params.execution_id is None:
        raise AssertionError("An eager task on a backend needs the execution id of its pod, and none is set")
    return str(params.execution_id.name)


def start_controller(
    task_short_name: str,
    ctx: FlyteContext,
    remote: Optional[Any] = None,
    settings: Optional[SerializationSettings] = None,
) -> EagerController:
    """A controller for the eager execution running in ``ctx``; builds a ``FlyteRemote`` if none is given."""
    tag = _execution_name(ctx)
    params = ctx.user_space_params
    if remote is None:
        from flytekit.configuration.plugin import get_plugin  # brings in FlyteRemote: only when a backend run needs it

        execution_id = params.execution_id if params is not None else None
        project = execution_id.project if execution_id is not None else "flytesnacks"
        domain = execution_id.domain if execution_id is not None else "development"
        raw_output = params.raw_output_prefix if params is not None else None
        logger.info(f"Eager task {task_short_name}: connecting to the backend for {project}/{domain}")
        remote = get_plugin().get_remote(config=None, project=project, domain=domain, data_upload_location=raw_output)
    settings = (
        settings or ctx.serialization_settings or SerializationSettings(image_config=ImageConfig.auto_default_image())
    )
    return EagerController(
        remote=remote,
        settings=settings,
        tag=tag,
        root_tag=os.environ.get(EAGER_ROOT_ENV_NAME, tag),
        exec_prefix=names.exec_prefix(task_short_name, tag),
    )
