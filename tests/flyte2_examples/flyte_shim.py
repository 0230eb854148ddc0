"""A test-side stand-in for Flyte 2's ``flyte`` module, mapping what its examples use onto flytekit_ext.

``flytekit_ext`` already has ``map``, ``group``, ``trace`` and ``errors`` under Flyte 2's names. What it has no
counterpart for is only the environment object and the local ``run`` call; as docs/migration.md says, an
``@env.task`` on an ``async def`` (a parent that awaits other tasks) is an ``@eager`` task, and one on a ``def``
a ``@task``. Environment settings (image, resources, ...) do not apply to local runs and are ignored here.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any, Callable, Optional

import flytekit_ext
from flytekit_ext import errors, group, map, trace

__all__ = ["Resources", "TaskEnvironment", "errors", "group", "init_from_config", "map", "run", "trace"]


class Resources:
    def __init__(self, **requested: Any) -> None:
        self.requested = requested


class TaskEnvironment:
    def __init__(self, name: str, **settings: Any) -> None:
        self.name = name

    def task(self, function: Optional[Callable[..., Any]] = None, *, retries: int = 0, **settings: Any) -> Any:
        def decorate(body: Callable[..., Any]) -> Any:
            short_name = settings.get("short_name")
            if inspect.iscoroutinefunction(body):
                return flytekit_ext.eager(body, retries=retries, short_name=short_name)
            return flytekit_ext.task(body, retries=retries, short_name=short_name)

        return decorate(function) if function is not None else decorate


def init_from_config(*args: Any, **kwargs: Any) -> None:
    """Flyte 2 falls back to a local run without a configuration; so does every run here."""


class Run:
    """What ``flyte.run`` returns locally; it prints its own placeholders where Flyte 2 prints run metadata."""

    name = "<run-name>"
    url = "<run-url>"

    def __init__(self, output: Any) -> None:
        self._output = output

    def outputs(self) -> Any:
        return self._output

    def wait(self) -> None:
        pass

    def __repr__(self) -> str:
        return "<run>"


def run(task: Any, *args: Any, **kwargs: Any) -> Run:
    result = task(*args, **kwargs)
    return Run(asyncio.run(result) if inspect.isawaitable(result) else result)


class _RunContext:
    def run(self, task: Any, *args: Any, **kwargs: Any) -> Run:
        return run(task, *args, **kwargs)


def with_runcontext(**settings: Any) -> _RunContext:
    return _RunContext()
