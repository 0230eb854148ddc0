"""Setting up an eager run on a backend: the one path every entry point takes.

``pyflyte-execute`` in a pod, ``EagerAsyncPythonFunctionTask.run`` and ``run_with_backend`` all enter
:func:`backend_session`: the body's context gets a controller (its ``worker_queue``) and runs in flytekit's
``EAGER_EXECUTION`` mode, and while the body runs, SIGTERM and SIGINT terminate the children it started
before the process exits.
"""

from __future__ import annotations

import signal
import sys
import threading
from contextlib import contextmanager
from types import FrameType
from typing import Any, Callable, Dict, Iterator, Optional, Union

from flytekit.configuration import SerializationSettings
from flytekit.core.context_manager import ExecutionState, FlyteContext
from flytekit.loggers import logger

from flytekit_ext._eager.controller import EagerController, start_controller
from flytekit_ext._runtime.values import replaced

_Handler = Union[Callable[[int, Optional[FrameType]], Any], int, None]
_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def in_mode(ctx: FlyteContext, mode: ExecutionState.Mode) -> FlyteContext:
    """``ctx`` with its execution state in ``mode``."""
    state = ctx.execution_state if ctx.execution_state is not None else ctx.new_execution_state()
    return replaced(ctx, execution_state=state if state.mode is mode else replaced(state, mode=mode))


@contextmanager
def _terminating_on_signals(controller: EagerController) -> Iterator[None]:
    """While the block runs, SIGTERM or SIGINT terminates the running children, then exits the process.

    Signal handlers can only be set on the main thread; elsewhere (a test calling ``run`` from a worker
    thread) the block runs without them.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_signal(signum: int, frame: Optional[FrameType]) -> None:
        name = signal.Signals(signum).name
        logger.warning(f"Eager execution {controller.tag} received {name}; terminating its child executions")
        controller.terminate_running(f"parent eager execution {controller.tag} received {name}")
        sys.exit(128 + signum)

    previous: Dict[int, _Handler] = {signum: signal.signal(signum, on_signal) for signum in _SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextmanager
def backend_session(
    short_name: str,
    ctx: FlyteContext,
    remote: Any | None = None,
    settings: SerializationSettings | None = None,
) -> Iterator[tuple[FlyteContext, EagerController]]:
    """The context an eager body runs in on a backend, and its controller.

    ``remote`` and ``settings`` default to a ``FlyteRemote`` built from the pod's configuration and the
    context's serialization settings.
    """
    given = ctx.worker_queue
    controller = given if isinstance(given, EagerController) else start_controller(short_name, ctx, remote, settings)
    body_ctx = in_mode(replaced(ctx, worker_queue=controller), ExecutionState.Mode.EAGER_EXECUTION)
    try:
        with _terminating_on_signals(controller):
            yield body_ctx, controller
    finally:
        if controller is not given:  # a controller handed in is closed by whoever made it
            controller.close()
