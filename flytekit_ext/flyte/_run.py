"""``flyte.run``, ``flyte.run.aio`` and ``flyte.with_runcontext(...).run``: a run of a task.

Locally (no endpoint given to ``flyte.init``, or ``mode="local"``) the task is called here, as a
flytekit_ext call, in a run context (:mod:`._context`) that ``flyte.ctx()`` reads, and in a
``flytekit_ext.typed_errors()`` block, so every failed call raises a typed error as in Flyte 2. A sync task is
called on this thread, an async one awaited on an event loop, so a local ``flyte.run`` costs what calling the
task costs. On a cluster (:mod:`._remote`, imported when first used: it loads ``FlyteRemote``) the task is
registered and launched through ``FlyteRemote``.
"""

from __future__ import annotations

import inspect
from contextlib import contextmanager
from typing import Any, Dict, Iterator, Optional, Tuple

import flytekit_ext
from flytekit_ext.flyte._context import LOCAL_ROOT, RunContext, new_run_name, running
from flytekit_ext.flyte._runs import LocalRun, Run, RunSettings, check_task, outputs_of, raw_data_under, run_failure
from flytekit_ext.flyte._syncify import run_to_completion


@contextmanager
def _local_run(context: RunContext) -> Iterator[None]:
    """Around a local run's call: its run context, typed errors, its raw data folder; a failure raised as Flyte 2
    raises it."""
    with running(context), flytekit_ext.typed_errors(), raw_data_under(context.raw_data_root):
        try:
            yield
        except Exception as error:
            failure = run_failure(error)
            if failure is error:
                raise
            raise failure from error


class Runner:
    """``flyte.run`` with the settings of a ``with_runcontext``; ``run(...)`` blocks, ``run.aio(...)`` awaits."""

    def __init__(self, settings: RunSettings) -> None:
        self.settings = settings

    def _local_context(self) -> Tuple[RunContext, str]:
        name = self.settings.name or new_run_name()
        raw = self.settings.raw_data_path or f"{LOCAL_ROOT}/raw_data/{name}"
        return RunContext(run_name=name, custom_context=dict(self.settings.custom_context), raw_data_root=raw), name

    def run(self, task: Any, *args: Any, **kwargs: Any) -> Run:
        check_task(task)
        if self.settings.remote:
            from flytekit_ext.flyte._remote import run_remote

            return run_remote(self.settings, task, args, kwargs)
        context, name = self._local_context()
        with _local_run(context):
            result = task(*args, **kwargs)
            if inspect.isawaitable(result):
                result = run_to_completion(result)
        return LocalRun("dry-run", f"{LOCAL_ROOT}/metadata/{name}", outputs_of(result))

    async def run_aio(self, task: Any, *args: Any, **kwargs: Any) -> Run:
        check_task(task)
        if self.settings.remote:
            from flytekit_ext.flyte._remote import run_remote_aio

            return await run_remote_aio(self.settings, task, args, kwargs)
        context, name = self._local_context()
        with _local_run(context):
            result = await task.aio(*args, **kwargs)
        return LocalRun("dry-run", f"{LOCAL_ROOT}/metadata/{name}", outputs_of(result))


class _RunFunction:
    """``flyte.run(task, ...)``, and ``await flyte.run.aio(task, ...)``."""

    def __init__(self, runner: Runner) -> None:
        self._runner = runner

    def __call__(self, task: Any, *args: Any, **kwargs: Any) -> Run:
        return self._runner.run(task, *args, **kwargs)

    async def aio(self, task: Any, *args: Any, **kwargs: Any) -> Run:
        return await self._runner.run_aio(task, *args, **kwargs)


class RunContextRunner:
    """What ``with_runcontext`` returns: ``.run(task, ...)`` and ``.run.aio(task, ...)`` with its settings."""

    def __init__(self, settings: RunSettings) -> None:
        self.run = _RunFunction(Runner(settings))


def with_runcontext(
    mode: Optional[str] = None,
    *,
    name: Optional[str] = None,
    service_account: Optional[str] = None,
    version: Optional[str] = None,
    copy_style: str = "loaded_modules",
    project: Optional[str] = None,
    domain: Optional[str] = None,
    env_vars: Optional[Dict[str, str]] = None,
    labels: Optional[Dict[str, str]] = None,
    annotations: Optional[Dict[str, str]] = None,
    interruptible: Optional[bool] = None,
    overwrite_cache: bool = False,
    custom_context: Optional[Dict[str, str]] = None,
    raw_data_path: Optional[str] = None,
    **accepted: Any,
) -> RunContextRunner:
    """A run with these settings: ``flyte.with_runcontext(...).run(task, ...)``.

    ``mode`` is ``"local"`` or ``"remote"`` (default: remote when ``flyte.init`` was given an endpoint).
    Other keywords Flyte 2 takes (log levels, dry runs, notifications, ...) are accepted and have no effect.
    """
    if mode not in (None, "local", "remote"):
        raise ValueError(f"with_runcontext: mode must be 'local' or 'remote' on Flyte 1, got {mode!r}")
    if copy_style == "none" and not version:
        raise ValueError("with_runcontext: a version is required when copy_style is 'none'")
    return RunContextRunner(
        RunSettings(
            mode=mode,
            name=name,
            version=version,
            copy_style=copy_style,
            project=project,
            domain=domain,
            service_account=service_account,
            env_vars=dict(env_vars or {}),
            labels=dict(labels or {}),
            annotations=dict(annotations or {}),
            interruptible=interruptible,
            overwrite_cache=overwrite_cache,
            custom_context=dict(custom_context or {}),
            raw_data_path=raw_data_path,
        )
    )


run = _RunFunction(Runner(RunSettings()))
