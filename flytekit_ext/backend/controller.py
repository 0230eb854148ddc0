"""Starting the eager controller that turns a running eager task's calls into executions on the backend.

flytekit's ``Controller`` (its worker queue) does the launching and polling and is reused as it is. What is
ours: how it is named and configured from the pod's context, and what happens on SIGTERM/SIGINT — every
child execution still running is terminated before the process exits.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from types import FrameType
from typing import Any

from flytekit.configuration import ImageConfig, SerializationSettings
from flytekit.core.constants import EAGER_ROOT_ENV_NAME
from flytekit.core.context_manager import FlyteContext
from flytekit.core.utils import _dnsify
from flytekit.core.worker_queue import Controller
from flytekit.loggers import logger


def _execution_name(ctx: FlyteContext) -> str:
    params = ctx.user_space_params
    if params is None or params.execution_id is None:
        raise AssertionError("An eager task on a backend needs the execution id of its pod, and none is set")
    return str(params.execution_id.name)


def start_controller(
    task_short_name: str,
    ctx: FlyteContext,
    remote: Any | None = None,
    settings: SerializationSettings | None = None,
) -> Controller:
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
    prefix = _dnsify(f"e-{task_short_name[:8]}-{tag[:5]}")
    return Controller(
        remote=remote,
        ss=settings,
        tag=tag,
        root_tag=os.environ.get(EAGER_ROOT_ENV_NAME, tag),
        exec_prefix=prefix,
    )


def terminate_running_children(controller: Controller, reason: str) -> int:
    """Terminate the controller's child executions that have started and not finished; returns how many."""
    terminated = 0
    with controller.entries_lock:
        items = [item for items in controller.entries.values() for item in items]
    for item in items:
        execution = item.wf_exec
        if execution is None or execution.is_done:
            continue
        try:
            controller.remote.terminate(execution, reason)
            terminated += 1
            logger.warning(f"Terminated child execution {execution.id.name}: {reason}")
        except Exception as error:  # noqa: BLE001 - one child failing to stop must not keep the others running
            logger.error(f"Could not terminate child execution {execution.id.name}: {error}")
    return terminated


def install_signal_handlers(controller: Controller) -> None:
    """On SIGTERM or SIGINT, terminate running children, then exit. Only possible on the main thread."""
    if threading.current_thread() is not threading.main_thread():
        return

    def on_signal(signum: int, frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        logger.warning(f"Eager execution {controller.tag} received {name}; terminating its child executions")
        terminate_running_children(controller, f"parent eager execution {controller.tag} received {name}")
        controller.stopping_condition.set()
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
