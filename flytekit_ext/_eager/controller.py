"""The eager controller: turns the task calls of an eager task running on a backend into executions.

One coroutine per call launches its execution, polls it (quickly at first, then every few seconds) and
returns its outputs as native values, so calls awaited together run together, however many. Admin calls
are blocking gRPC calls, so they run on worker threads, at most ``max_admin_calls`` at once. A call that is
cancelled (``map`` stopping early, a task group failing) terminates its execution: nothing it started is
left running. On SIGTERM or SIGINT every running child is terminated before the process exits.

Child executions are named deterministically from the parent execution, the call's group and short name,
how many calls with that group and short name came before, and the inputs, so a retried parent finds its
earlier children. They carry flytekit's eager labels, which is how the failure handler
(:mod:`flytekit_ext._tasks.failure`) finds them, and the ``flytekit_ext.group`` they were started in. A child
that fails raises a :mod:`flytekit_ext.errors` error built from the child execution's error.
"""

from __future__ import annotations

import asyncio
import enum
import hashlib
import html
import os
import threading
import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from flytekit.configuration import ImageConfig, SerializationSettings
from flytekit.core.constants import EAGER_ROOT_ENV_NAME, EAGER_TAG_KEY, EAGER_TAG_ROOT_KEY
from flytekit.core.context_manager import FlyteContext
from flytekit.loggers import logger
from flytekit.models.common import Labels
from flytekit.models.core.execution import WorkflowExecutionPhase
from flytekit.models.literals import LiteralMap
from flytekit.tools.translator import Options

from flytekit_ext._core import enclosing
from flytekit_ext._core.backoff import Backoff
from flytekit_ext._core.contexts import current_context
from flytekit_ext._core.loops import in_worker_thread, settle, start_in_worker_thread
from flytekit_ext._core.naming import GROUP_LABEL_KEY, display_name, group_label
from flytekit_ext._flytekit_internals import dns_label
from flytekit_ext._local.run import native_result
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


def _child_error(phase: ChildPhase, execution: Any, name: str) -> BaseRuntimeError:
    """What the call of a child execution that ended in ``phase`` raises."""
    error = execution.closure.error
    reason = error.message if error is not None else "no reason given"
    if phase is ChildPhase.ABORTED:
        return as_child_failure(ActionAbortedError(f"Child execution {name} was aborted: {reason}"))
    if phase is ChildPhase.TIMED_OUT:
        return as_child_failure(TaskTimeoutError(f"Child execution {name} timed out: {reason}"))
    return from_execution(error)


POLL_SECONDS_ENV = "FLYTEKIT_EXT_EAGER_MAX_POLL_SECONDS"
#: How long a signal handler waits for launches in flight to return, so it can terminate what they create.
LAUNCH_WAIT_SECONDS = 30.0


@dataclass
class ChildExecution:
    """One call of the eager task, as the controller tracks it."""

    short_name: str
    entity_name: str
    name: str
    inputs: Dict[str, Any]
    group: Optional[str] = None
    execution: Any = None
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
    # Binds to the event loop the body runs on when first used (Python >= 3.10).
    _admin_slots: asyncio.Semaphore = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._admin_slots = asyncio.Semaphore(self.max_admin_calls)

    # --- naming -------------------------------------------------------------------------------------------

    @property
    def description(self) -> str:
        """The eager execution this controller serves, as messages name it."""
        return f"eager execution {self.tag}"

    def execution_name(self, short_name: str, index: int, inputs: Dict[str, Any], group: Optional[str] = None) -> str:
        """Deterministic: the same parent, group, call order and inputs give the same child name."""
        if group is None:
            digest = hashlib.sha256(f"{self.tag}|{short_name}|{index}|{inputs!r}".encode()).hexdigest()[:12]
            return dns_label(f"{self.exec_prefix}-{short_name[:16]}-{digest}")
        key = f"{self.tag}|{group}|{short_name}|{index}|{inputs!r}"
        digest = hashlib.sha256(key.encode()).hexdigest()[:12]
        return dns_label(f"{self.exec_prefix}-{group_label(group)[:12]}-{short_name[:16]}-{digest}")

    def _next_index(self, key: str) -> int:
        with self._lock:
            index = self._calls_per_name.get(key, 0)
            self._calls_per_name[key] = index + 1
            return index

    # --- admin calls ------------------------------------------------------------------------------------------

    async def _admin(self, fn: Any, *args: Any) -> Any:
        async with self._admin_slots:
            return await in_worker_thread(fn, *args)

    async def _launched(self, entity: Any, child: ChildExecution) -> Any:
        """Launch ``child``; if the call is cancelled meanwhile, still record what the launch creates.

        A launch cannot be recalled once sent: a cancelled call waits for it to return, so that the
        execution it made is terminated with the call instead of being left running.
        """
        async with self._admin_slots:
            child.launch = start_in_worker_thread(self._launch, entity, child)
            try:
                execution = await asyncio.wrap_future(child.launch)
            except asyncio.CancelledError:
                self._launched_as(child, await settle(child.launch, self._launch))
                raise
            self._launched_as(child, execution)
            return execution

    def _launched_as(self, child: ChildExecution, execution: Any) -> None:
        with self._lock:
            child.launch = None
            if execution is not None and child.phase is ChildPhase.PENDING:
                child.execution = execution
                child.phase = ChildPhase.RUNNING

    def _launch(self, entity: Any, child: ChildExecution) -> Any:
        labels = {EAGER_TAG_KEY: self.tag, EAGER_TAG_ROOT_KEY: self.root_tag}
        if child.group is not None:
            labels[GROUP_LABEL_KEY] = group_label(child.group)
        return self.remote.execute(
            entity=entity,
            inputs=child.inputs,
            execution_name=child.name,
            version=self.settings.version,
            image_config=self.settings.image_config,
            options=Options(labels=Labels(labels)),
            envs={EAGER_ROOT_ENV_NAME: self.root_tag},
            serialization_settings=self.settings,
        )

    # --- calls ----------------------------------------------------------------------------------------------

    async def submit(self, entity: Any, inputs: Dict[str, Any], short_name: Optional[str] = None) -> Any:
        """Run ``entity`` on ``inputs`` as a child execution and return its outputs as native values."""
        shown = display_name(entity, short_name)
        group = enclosing.current().group
        index = self._next_index(shown if group is None else f"{group}|{shown}")
        child = ChildExecution(shown, entity.name, self.execution_name(shown, index, inputs, group), inputs, group)
        with self._lock:
            self.children.append(child)
        in_group = f" in group '{group}'" if group is not None else ""
        logger.info(f"Eager {self.tag}: launching {entity.name}{in_group} as {child.name}")
        try:
            await self._launched(entity, child)
            polls = Backoff(first=self.first_poll_seconds, cap=self.max_poll_seconds)
            attempt = 1
            while True:
                child.execution = await self._admin(self.remote.sync_execution, child.execution)
                phase = child.execution.closure.phase
                if phase == WorkflowExecutionPhase.SUCCEEDED:
                    child.phase = ChildPhase.SUCCEEDED
                    return await in_worker_thread(self._outputs, entity, child.execution)
                if phase in _FAILED_PHASES:
                    child.phase, how = _FAILED_PHASES[phase]
                    error = _child_error(child.phase, child.execution, child.name)
                    child.outcome = f"{type(error).__name__} ({error.code}): {error}"
                    logger.error(f"Child execution {child.name} ({shown}: {entity.name}) {how}: {child.outcome}")
                    raise error
                await asyncio.sleep(polls.delay(attempt))
                attempt += 1
        except asyncio.CancelledError as cancelled:
            if child.execution is not None and child.phase is ChildPhase.RUNNING:
                child.phase = ChildPhase.CANCELLED
                reason = (
                    cancelled.args[0] if cancelled.args else f"the call of {shown} in eager {self.tag} was cancelled"
                )
                await asyncio.shield(self._terminate(child, str(reason)))
            raise

    async def add(self, entity: Any, input_kwargs: Dict[str, Any]) -> Any:
        """flytekit's worker-queue interface, used when a flytekit entity is called in our eager task."""
        return await self.submit(entity, input_kwargs)

    @staticmethod
    def _outputs(entity: Any, execution: Any) -> Any:
        outputs = execution.outputs
        if outputs is None or not outputs.literals:
            return None
        interface = getattr(entity, "python_interface", None)
        if interface is None or not hasattr(entity, "interface"):
            return outputs.as_python_native(interface)
        return native_result(entity, current_context(), LiteralMap(literals=dict(outputs.literals)))

    async def _terminate(self, child: ChildExecution, reason: str) -> None:
        try:
            await in_worker_thread(self.remote.terminate, child.execution, reason)
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
            running = [c for c in self.children if c.execution is not None and c.phase is ChildPhase.RUNNING]
        for child in running:
            try:
                self.remote.terminate(child.execution, reason)
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
        exec_prefix=dns_label(f"e-{task_short_name[:8]}-{tag[:5]}"),
    )
