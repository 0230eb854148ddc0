"""Setting up an eager run on a backend: the one path every entry point takes.

``pyflyte-execute`` in a pod, ``EagerAsyncPythonFunctionTask.run`` and ``run_with_backend`` all enter
:func:`backend_session`: the body's context gets a controller (its ``worker_queue``) and runs in flytekit's
``EAGER_EXECUTION`` mode, and while the body runs, SIGTERM and SIGINT terminate the children it started
before the process exits.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

from flytekit.configuration import SerializationSettings
from flytekit.core.context_manager import ExecutionState, FlyteContext
from flytekit.loggers import logger

from flytekit_ext._core.signals import guarded
from flytekit_ext._eager.controller import EagerController, start_controller
from flytekit_ext._flytekit_internals import replaced


def in_mode(ctx: FlyteContext, mode: ExecutionState.Mode) -> FlyteContext:
    """``ctx`` with its execution state in ``mode``."""
    state = ctx.execution_state if ctx.execution_state is not None else ctx.new_execution_state()
    return replaced(ctx, execution_state=state if state.mode is mode else replaced(state, mode=mode))


def _terminating_children(controller: EagerController) -> Any:
    """On a signal: terminate the children still running, naming the signal as the reason."""

    def on_signal(name: str) -> None:
        logger.warning(f"Eager execution {controller.tag} received {name}; terminating its child executions")
        controller.terminate_running(f"parent eager execution {controller.tag} received {name}")

    return on_signal


@contextmanager
def backend_session(
    short_name: str,
    ctx: FlyteContext,
    remote: Any | None = None,
    settings: SerializationSettings | None = None,
) -> Iterator[tuple[FlyteContext, EagerController]]:
    """The context an eager body runs in on a backend, and its controller.

    ``remote`` and ``settings`` default to a ``FlyteRemote`` built from the pod's configuration and the
    context's serialization settings. While the block runs, SIGTERM and SIGINT terminate the children it
    started before the process stops (:mod:`flytekit_ext._core.signals`).
    """
    given = ctx.worker_queue
    controller = given if isinstance(given, EagerController) else start_controller(short_name, ctx, remote, settings)
    body_ctx = in_mode(replaced(ctx, worker_queue=controller), ExecutionState.Mode.EAGER_EXECUTION)
    try:
        with guarded(lambda: controller.description, on_signal=_terminating_children(controller)):
            yield body_ctx, controller
    finally:
        if controller is not given:  # a controller handed in is closed by whoever made it
            controller.close()
