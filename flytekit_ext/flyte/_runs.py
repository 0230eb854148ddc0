"""What a run is made of: its settings, its ``Run`` handle and outputs, what a failed run raises, and where a
local run keeps its raw data (``flyte.run`` itself: :mod:`._run`; on a cluster: :mod:`._remote`).

A failed run raises what Flyte 2 raises: a typed error (``flyte.errors.RuntimeUserError`` with the
exception's class name as its ``code``), whose cause is the task's own exception when it ran here.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, Optional, Tuple

from flytekit.core.base_task import PythonTask
from flytekit.core.context_manager import FlyteContextManager
from flytekit.core.data_persistence import FileAccessProvider

from flytekit_ext.flyte._initialize import current
from flytekit_ext.flyte.errors import BaseRuntimeError, RuntimeSystemError, RuntimeUnknownError, RuntimeUserError


class ActionOutputs(tuple):
    """A run's outputs: a tuple, also by name (``o0``, ``o1``, ...)."""

    _fields: Tuple[str, ...]

    def __new__(cls, values: Tuple[Any, ...], names: Optional[Tuple[str, ...]] = None) -> ActionOutputs:
        made = super().__new__(cls, values)
        made._fields = names or tuple(f"o{index}" for index in range(len(values)))
        for name, value in zip(made._fields, values):
            setattr(made, name, value)
        return made

    @property
    def named_outputs(self) -> Dict[str, Any]:
        return dict(zip(self._fields, self))

    def __repr__(self) -> str:
        shown = (
            f'{name}="{value}"' if isinstance(value, str) else f"{name}={value}"
            for name, value in self.named_outputs.items()
        )
        return f"ActionOutputs({', '.join(shown)})"


def outputs_of(result: Any) -> ActionOutputs:
    """A task's result as Flyte 2 hands it back from a local run: a tuple of outputs named ``o0``, ``o1``, ..."""
    if result is None:
        return ActionOutputs(())
    return ActionOutputs(tuple(result) if isinstance(result, tuple) else (result,))


class Run(ABC):
    """A run: ``name``, ``url``, ``wait()``, ``outputs()``, ``phase``, ``done()``; a local one or a cluster's."""

    name: str
    url: str

    @abstractmethod
    def wait(self, quiet: bool = False, wait_for: str = "terminal") -> None: ...

    @abstractmethod
    def outputs(self) -> ActionOutputs: ...

    @property
    @abstractmethod
    def phase(self) -> str: ...

    @abstractmethod
    def done(self) -> bool: ...

    def __repr__(self) -> str:
        return f"Run(name={self.name!r}, url={self.url!r})"


class LocalRun(Run):
    """A local run, which has ended when it is returned (its name is ``dry-run``, as Flyte 2's local runs)."""

    def __init__(self, name: str, url: str, outputs: ActionOutputs) -> None:
        self.name = name
        self.url = url
        self._outputs = outputs

    def wait(self, quiet: bool = False, wait_for: str = "terminal") -> None:
        """A local run has ended."""

    def outputs(self) -> ActionOutputs:
        return self._outputs

    @property
    def phase(self) -> str:
        return "SUCCEEDED"

    def done(self) -> bool:
        return True

    def __repr__(self) -> str:
        # What Flyte 2 prints for a local run (its in-process run handle, with the fields of a run it never had;
        # its run time is the seconds since midnight, UTC, of a run that started at the epoch).
        since_midnight = int(time.time()) % 86400
        return (
            "_InlineRun(\n"
            f"    url='[blue bold][link={self.url}]link[/link][/blue bold]',\n"
            "    labels={},\n"
            f"    name={self.name!r},\n"
            "    action name='a0',\n"
            "    start_time='1970-01-01T00:00:00+00:00',\n"
            "    end_time=None,\n"
            f"    run_time='{since_midnight} secs',\n"
            "    phase='ACTION_PHASE_UNSPECIFIED',\n"
            "    group='',\n"
            "    parent='',\n"
            "    related to='',\n"
            "    attempts=0\n"
            ")"
        )


def run_failure(error: Exception) -> BaseRuntimeError:
    """What a failed run raises, as Flyte 2: a user error (the exception's class its code), a system or unknown
    error; never a subclass (a task's ``NonRecoverableError`` fails the run with a ``RuntimeUserError``)."""
    if not isinstance(error, BaseRuntimeError):
        return RuntimeUserError(type(error).__name__, str(error))
    kind = {"system": RuntimeSystemError, "unknown": RuntimeUnknownError}.get(error.kind, RuntimeUserError)
    return error if type(error) is kind else kind(error.code, str(error))


@dataclass(frozen=True)
class RunSettings:
    """What ``with_runcontext`` was given."""

    mode: Optional[str] = None
    name: Optional[str] = None
    version: Optional[str] = None
    copy_style: str = "loaded_modules"
    project: Optional[str] = None
    domain: Optional[str] = None
    service_account: Optional[str] = None
    env_vars: Dict[str, str] = field(default_factory=dict)
    labels: Dict[str, str] = field(default_factory=dict)
    annotations: Dict[str, str] = field(default_factory=dict)
    interruptible: Optional[bool] = None
    overwrite_cache: bool = False
    custom_context: Dict[str, str] = field(default_factory=dict)
    raw_data_path: Optional[str] = None

    @property
    def remote(self) -> bool:
        return self.mode == "remote" if self.mode else current().remote


def check_task(task: Any) -> None:
    if not isinstance(task, PythonTask):
        raise TypeError(f"flyte.run runs tasks, not {type(task).__name__} {task!r}; decorate it with @env.task")


@contextmanager
def raw_data_under(prefix: Optional[str]) -> Iterator[None]:
    """A local run's files, folders and tables go under ``prefix``, where Flyte 2 puts a local run's raw data."""
    ctx = FlyteContextManager.current_context()
    given = ctx.file_access
    # The same local sandbox (the provider adds its own folder name to the one it is given) and data settings.
    access = FileAccessProvider(
        local_sandbox_dir=str(Path(given.local_sandbox_dir).parent),
        raw_output_prefix=prefix,
        data_config=given.data_config,
    )
    with FlyteContextManager.with_context(ctx.with_file_access(access)):
        yield
