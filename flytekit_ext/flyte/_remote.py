"""``flyte.run`` on a Flyte 1 cluster: the task registered and launched through flytekit's ``FlyteRemote``.

Where: the endpoint, project and domain given to ``flyte.init`` / ``flyte.init_from_config`` (or to
``with_runcontext(project=..., domain=...)``). How the code gets there, by ``with_runcontext(copy_style=...)``:

* ``"loaded_modules"`` (the default) or ``"all"``: fast registration, as ``pyflyte run --remote`` does: the
  task's code is bundled from the root folder (``init(root_dir=...)``, else the working folder), uploaded,
  and unpacked in the pod, whose image needs only the dependencies;
* ``"none"``: the image has the code already, and ``version`` names the registration.

The image is the task's own (an ``Image``/``ImageSpec`` is built by flytekit, as ``pyflyte register`` builds
it) or the one named by the configuration's ``images`` / flytekit's default. The run is launched as a task
execution, with the run's custom context in an environment variable its task context reads; an eager parent
launches its children itself, as child executions. ``flyte.run`` returns at once;
``run.wait()`` waits for the execution to end, ``run.outputs()`` waits and gives its outputs (or raises the
typed error it failed with).
"""

from __future__ import annotations

import asyncio
import datetime
import json
import os
from pathlib import Path
from typing import Any, Dict, Tuple

from flytekit.configuration import Config, DataConfig, ImageConfig, PlatformConfig, SerializationSettings
from flytekit.constants import CopyFileDetection
from flytekit.core.base_task import PythonTask
from flytekit.models.core.execution import WorkflowExecutionPhase
from flytekit.remote import FlyteRemote
from flytekit.tools.fast_registration import FastPackageOptions

import flytekit_ext
from flytekit_ext.flyte._context import CUSTOM_CONTEXT_ENV
from flytekit_ext.flyte._initialize import Connection, current
from flytekit_ext.flyte._runs import ActionOutputs, Run, RunSettings
from flytekit_ext.flyte.errors import InitializationError

#: How often ``wait`` asks the cluster how the run is doing (flytekit's own default is 30 s).
POLL_INTERVAL = datetime.timedelta(seconds=float(os.environ.get("FLYTEKIT_EXT_FLYTE_POLL_SECONDS", "2")))
_COPY_STYLES = {"loaded_modules": CopyFileDetection.LOADED_MODULES, "all": CopyFileDetection.ALL}


def _connection(settings: RunSettings) -> Connection:
    connection = current()
    if connection.endpoint is None and connection.config_file is None:
        raise InitializationError(
            "NoEndpoint",
            "user",
            "flyte.run(...) on a cluster needs one: call flyte.init(endpoint='dns:///host:port') or "
            "flyte.init_from_config('config.yaml') first, or run locally with with_runcontext(mode='local')",
        )
    return connection


def _remote(connection: Connection, settings: RunSettings) -> FlyteRemote:
    if connection.config_file is not None:
        config = Config.auto(config_file=str(connection.config_file))
    else:
        assert connection.endpoint is not None
        config = Config(
            platform=PlatformConfig(endpoint=connection.endpoint, insecure=connection.insecure),
            data_config=connection.storage.data_config() if connection.storage is not None else DataConfig(),
        )
    return FlyteRemote(
        config=config,
        default_project=settings.project or connection.project,
        default_domain=settings.domain or connection.domain,
    )


def _images(connection: Connection) -> ImageConfig:
    refs = connection.image_refs
    if isinstance(refs, dict) and refs:
        default = refs.get("default") or next(iter(refs.values()))
        return ImageConfig.from_images(default, {name: uri for name, uri in refs.items() if name != "default"})
    return ImageConfig.auto_default_image()


def _inputs(task: PythonTask, args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> Dict[str, Any]:
    names = list(task.python_interface.inputs)
    if len(args) > len(names):
        raise TypeError(f"flyte.run of task '{task.name}': {len(args)} positional inputs, it takes {len(names)}")
    given = dict(zip(names, args))
    doubled = sorted(set(given) & set(kwargs))
    if doubled:
        raise TypeError(f"flyte.run of task '{task.name}': inputs {doubled} given by position and by name")
    return {**given, **kwargs}


class RemoteRun(Run):
    """A run on a cluster: ``name``, ``url``, ``wait()``, ``outputs()``, ``phase``, ``done()``."""

    def __init__(self, remote: FlyteRemote, execution: Any, task: PythonTask) -> None:
        self._remote = remote
        self._execution = execution
        self._task = task
        self.name: str = execution.id.name
        self.url: str = remote.generate_console_url(execution)

    def _synced(self) -> Any:
        self._execution = self._remote.sync_execution(self._execution)
        return self._execution

    @property
    def phase(self) -> str:
        return str(WorkflowExecutionPhase.enum_to_string(self._synced().closure.phase))

    def done(self) -> bool:
        return bool(self._synced().is_done)

    def wait(self, quiet: bool = False, wait_for: str = "terminal") -> None:
        """Wait until the run has ended."""
        self._execution = self._remote.wait(self._execution, poll_interval=POLL_INTERVAL)

    def outputs(self) -> ActionOutputs:
        """The run's outputs (``o0``, ``o1``, ...) once it has ended; the typed error it failed with, raised."""
        if not self._execution.is_done:
            self.wait()
        closure = self._execution.closure
        if closure.phase != WorkflowExecutionPhase.SUCCEEDED:
            raise flytekit_ext.error_of_execution(closure.error)
        outputs = self._execution.outputs
        declared = self._task.python_interface.outputs
        return ActionOutputs(tuple(outputs.get(name, as_type=kind) for name, kind in declared.items()))


def run_remote(settings: RunSettings, task: PythonTask, args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> RemoteRun:
    """Register ``task`` (with its code, unless ``copy_style="none"``) and launch it; see the module."""
    connection = _connection(settings)
    remote = _remote(connection, settings)
    inputs = _inputs(task, args, kwargs)
    images = _images(connection)
    envs = dict(settings.env_vars)
    if settings.custom_context:
        envs[CUSTOM_CONTEXT_ENV] = json.dumps(settings.custom_context)
    launch: Dict[str, Any] = dict(
        inputs=inputs,
        execution_name=settings.name,
        envs=envs or None,
        overwrite_cache=settings.overwrite_cache or None,
        interruptible=settings.interruptible,
    )
    if settings.copy_style == "none":
        serialization = SerializationSettings(
            image_config=images,
            project=remote.default_project,
            domain=remote.default_domain,
            version=settings.version,
        )
        execution = remote.execute(task, version=settings.version, serialization_settings=serialization, **launch)
        return RemoteRun(remote, execution, task)
    root = Path(connection.root_dir or Path.cwd()).resolve()
    registered = remote.register_script(
        task,
        image_config=images,
        version=settings.version,
        source_path=str(root),
        module_name=task.instantiated_in or task.task_function.__module__,
        fast_package_options=FastPackageOptions([], copy_style=_COPY_STYLES.get(settings.copy_style)),
    )
    execution = remote.execute(registered, type_hints=dict(task.python_interface.inputs), **launch)
    return RemoteRun(remote, execution, task)


async def run_remote_aio(
    settings: RunSettings, task: PythonTask, args: Tuple[Any, ...], kwargs: Dict[str, Any]
) -> RemoteRun:
    return await asyncio.to_thread(run_remote, settings, task, args, kwargs)
