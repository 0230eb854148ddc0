"""Flyte 2's API (the ``flyte`` package, 2.12) on flytekit 1.x and flytekit_ext: change the import, keep the program.

``import flyte`` becomes ``import flytekit_ext.flyte as flyte``, and ``from flyte.io import File`` becomes
``from flytekit_ext.flyte.io import File`` (every ``flyte.*`` module has its ``flytekit_ext.flyte.*``
namesake). The program then runs locally as under Flyte 2, serializes with ``pyflyte package``/``register``,
runs with ``pyflyte run``, and runs on a Flyte 1 cluster with ``flyte.init(endpoint=...)`` and ``flyte.run``.
What maps to what, and what differs: docs/migration.md.

This package is a client of flytekit_ext's public API, like any program; nothing in flytekit_ext imports it.
"""

from __future__ import annotations

from typing import Any

from flytekit_ext import group, map, trace
from flytekit_ext.flyte import errors
from flytekit_ext.flyte._cache import Cache, CachePolicy, CacheRequest
from flytekit_ext.flyte._checkpoint import BaseCheckpoint, Checkpoint, latest_checkpoint
from flytekit_ext.flyte._context import ctx
from flytekit_ext.flyte._custom_context import custom_context, get_custom_context
from flytekit_ext.flyte._doc import Documentation, Link
from flytekit_ext.flyte._environment import Environment, TaskEnvironment
from flytekit_ext.flyte._excepthook import install_excepthook
from flytekit_ext.flyte._image import Image
from flytekit_ext.flyte._initialize import (
    current_domain,
    current_project,
    init,
    init_from_config,
    is_control_plane_available,
)
from flytekit_ext.flyte._logging import logger, system_logger
from flytekit_ext.flyte._pod import PodTemplate
from flytekit_ext.flyte._resources import (
    AMD_GPU,
    APPLE_SILICON,
    GPU,
    HABANA_GAUDI,
    TPU,
    Device,
    DeviceClass,
    Neuron,
    Resources,
)
from flytekit_ext.flyte._retry import Backoff, RetryStrategy
from flytekit_ext.flyte._reusable_environment import ReusePolicy
from flytekit_ext.flyte._run import run, with_runcontext
from flytekit_ext.flyte._secret import Secret, SecretRequest
from flytekit_ext.flyte._task import AsyncFunctionTaskTemplate, TaskTemplate
from flytekit_ext.flyte._timeout import Timeout, TimeoutType
from flytekit_ext.flyte._unavailable import unavailable_class, unavailable_function

__version__ = "2.12.1"


def version() -> str:
    """The Flyte 2 version whose API this package follows."""
    return __version__


_APPS = "Serve it with a Flyte 1 deployment of its own (a Kubernetes Deployment or a KServe service)."
_TRIGGERS = "Schedule a launch plan instead: flytekit's LaunchPlan.get_or_create(..., schedule=CronSchedule(...))."
_DEPLOY = "Register with pyflyte register (or pyflyte package, then flytectl register files)."

serve = unavailable_function("flyte.serve", _APPS)
with_servecontext = unavailable_function("flyte.with_servecontext", _APPS)
AppHandle = unavailable_class("flyte.AppHandle", _APPS)
Trigger = unavailable_class("flyte.Trigger", _TRIGGERS)
Cron = unavailable_class("flyte.Cron", _TRIGGERS)
FixedRate = unavailable_class("flyte.FixedRate", _TRIGGERS)
OnArtifact = unavailable_class("flyte.OnArtifact", _TRIGGERS)
TriggerTime = unavailable_class("flyte.TriggerTime", _TRIGGERS)
TriggeredArtifact = unavailable_class("flyte.TriggeredArtifact", _TRIGGERS)
TriggeredPartition = unavailable_class("flyte.TriggeredPartition", _TRIGGERS)
deploy = unavailable_function("flyte.deploy", _DEPLOY)
build = unavailable_function("flyte.build", "Build the ImageSpec with flytekit (pyflyte build or ImageSpec.build).")
build_images = unavailable_function("flyte.build_images", "Images are built by pyflyte register from the ImageSpec.")
ImageBuild = unavailable_class("flyte.ImageBuild", "Images are built by pyflyte register from the ImageSpec.")
rerun = unavailable_function("flyte.rerun", "Relaunch the execution with FlyteRemote.relaunch_execution or the UI.")
run_python_script = unavailable_function("flyte.run_python_script", "Wrap the script's code in a task.")
new_condition = unavailable_function("flyte.new_condition", "Use a gate node (flytekit's wait_for_input).")
ConditionWebhook = unavailable_class("flyte.ConditionWebhook", "Use a gate node (flytekit's wait_for_input).")
init_from_api_key = unavailable_function("flyte.init_from_api_key", "Use flyte.init(endpoint=...) or a config file.")
init_in_cluster = unavailable_function("flyte.init_in_cluster", "Tasks on Flyte 1 need no client set-up.")
init_passthrough = unavailable_function("flyte.init_passthrough", "Use flyte.init(endpoint=...) or a config file.")
load_interactive_ctx = unavailable_function("flyte.load_interactive_ctx", "Run the task with flyte.run.")
load_plugin_config = unavailable_function("flyte.load_plugin_config", "flytekit plugins take their config per task.")

install_excepthook()


# Flyte 2's submodules, reachable as attributes of the package as they are there (``flyte.io.File``).
_SUBMODULES = (
    "io",
    "report",
    "durable",
    "remote",
    "app",
    "extras",
    "models",
    "storage",
    "types",
    "extend",
    "git",
    "ai",
    "sandbox",
    "artifacts",
    "syncify",
)


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        import importlib

        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as missing:
            if missing.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}: no counterpart here") from None
    raise AttributeError(
        f"module 'flytekit_ext.flyte' has no attribute {name!r}: Flyte 2's flyte.{name} has no counterpart here yet"
    )


__all__ = [
    "AMD_GPU",
    "APPLE_SILICON",
    "GPU",
    "HABANA_GAUDI",
    "TPU",
    "AppHandle",
    "AsyncFunctionTaskTemplate",
    "Backoff",
    "BaseCheckpoint",
    "Cache",
    "CachePolicy",
    "CacheRequest",
    "Checkpoint",
    "ConditionWebhook",
    "Cron",
    "Device",
    "DeviceClass",
    "Documentation",
    "Environment",
    "FixedRate",
    "Image",
    "ImageBuild",
    "Link",
    "Neuron",
    "OnArtifact",
    "PodTemplate",
    "Resources",
    "RetryStrategy",
    "ReusePolicy",
    "Secret",
    "SecretRequest",
    "TaskEnvironment",
    "TaskTemplate",
    "Timeout",
    "TimeoutType",
    "Trigger",
    "TriggerTime",
    "TriggeredArtifact",
    "TriggeredPartition",
    "__version__",
    "build",
    "build_images",
    "ctx",
    "current_domain",
    "current_project",
    "custom_context",
    "deploy",
    "errors",
    "get_custom_context",
    "group",
    "init",
    "init_from_api_key",
    "init_from_config",
    "init_in_cluster",
    "init_passthrough",
    "is_control_plane_available",
    "latest_checkpoint",
    "load_interactive_ctx",
    "load_plugin_config",
    "logger",
    "map",
    "new_condition",
    "rerun",
    "run",
    "run_python_script",
    "serve",
    "system_logger",
    "trace",
    "version",
    "with_runcontext",
    "with_servecontext",
]
