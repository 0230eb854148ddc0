"""The run a task call belongs to, and the task context ``flyte.ctx()`` returns inside a task.

``flyte.run`` sets the run (:func:`running`); each ``@env.task`` body then runs in a task context of its own
(:func:`task_context`), made from the run's and the calling task's: a new action name in the same run, the
custom context in effect where the call was made, a report. Both live in ``ContextVar``s, so the tasks a
run calls (awaited, gathered, mapped on worker threads) see them, and code outside a run does not: there, as
in Flyte 2, ``flyte.ctx()`` is a null context whose fields are all None and which is false.

In a pod on a Flyte 1 cluster the run is the execution ``pyflyte-execute`` runs (its name, project and
domain), and the checkpoint and raw data prefix are the ones the cluster gave it.
"""

from __future__ import annotations

import json
import os
import random
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Dict, Iterator, Literal, Optional
from uuid import uuid4

from flytekit_ext.flyte._checkpoint import Checkpoint, task_checkpoint
from flytekit_ext.flyte._report import Report, report_as_decks

_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
LOCAL_ROOT = "/tmp/flyte"  # where Flyte 2 keeps a local run's metadata and raw data


def random_action_name() -> str:
    """A fresh action name: 25 lowercase letters and digits, as Flyte 2's (here always with both)."""
    number = random.getrandbits(130)
    digits = [random.choice(_DIGITS[10:]), random.choice(_DIGITS[:10])]
    for _ in range(23):
        number, index = divmod(number, 36)
        digits.append(_DIGITS[index])
    return "".join(digits)


def new_run_name() -> str:
    return str(uuid4())


@dataclass(frozen=True)
class ActionID:
    """The name of an action (a task call), and of the run, project and domain it belongs to."""

    name: str
    run_name: Optional[str] = None
    project: Optional[str] = None
    domain: Optional[str] = None
    org: Optional[str] = None

    def __repr__(self) -> str:
        named = ", ".join(
            f"{key}={value!r}"
            for key, value in (("run_name", self.run_name), ("project", self.project), ("domain", self.domain))
            if value is not None
        )
        return f"ActionID({self.name!r}{', ' + named if named else ''})"


@dataclass(frozen=True)
class RawDataPath:
    """Where a task writes the data it hands on (files, directories, data frames)."""

    path: str

    def __repr__(self) -> str:
        return f"RawDataPath({self.path!r})"


@dataclass(frozen=True)
class CheckpointPaths:
    prev_checkpoint_path: Optional[str]
    checkpoint_path: Optional[str]

    def __repr__(self) -> str:
        return f"CheckpointPaths({self.prev_checkpoint_path!r}, {self.checkpoint_path!r})"


@dataclass(frozen=True)
class GroupData:
    name: str


@dataclass(frozen=True)
class RunContext:
    """A run: its name, where it runs, and the custom context given to it."""

    run_name: str
    mode: Literal["local", "remote"] = "local"
    project: Optional[str] = None
    domain: Optional[str] = None
    custom_context: Dict[str, str] = field(default_factory=dict)
    start_time: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    raw_data_root: Optional[str] = None


class TaskContext:
    """What ``flyte.ctx()`` returns inside a task (the fields of Flyte 2's ``TaskContext``).

    Made for every task call of a run, so what costs something to make (the action's name, the report, the
    paths) is made when first read: most calls never read them.
    """

    group_data: Optional[GroupData] = None
    code_bundle: Any = None
    interactive_mode = False
    input_path: Optional[str] = None
    # Made when first read (class defaults until then: making a context sets two attributes).
    _data: Optional[Dict[str, Any]] = None
    _action: Optional[ActionID] = None
    _report: Any = None
    _raw_data_path: Optional[RawDataPath] = None

    def __init__(self, run: RunContext, custom_context: Dict[str, str]) -> None:
        self._run = run
        self.custom_context = custom_context

    @property
    def data(self) -> Dict[str, Any]:
        if self._data is None:
            self._data = {}
        return self._data

    @property
    def action(self) -> ActionID:
        if self._action is None:
            run = self._run
            self._action = ActionID(random_action_name(), run_name=run.run_name, project=run.project, domain=run.domain)
        return self._action

    @property
    def report(self) -> Any:
        if self._report is None:
            self._report = Report(name=self.action.name)
        return self._report

    @property
    def raw_data_path(self) -> RawDataPath:
        """A local run's raw data folder (Flyte 2's); in a pod, the prefix the cluster gave the execution."""
        if self._raw_data_path is None:
            run = self._run
            raw = run.raw_data_root if run.mode == "local" else _flytekit_raw_prefix()
            self._raw_data_path = RawDataPath(raw or f"{LOCAL_ROOT}/raw_data/{run.run_name}")
        return self._raw_data_path

    @property
    def checkpoint_paths(self) -> Optional[CheckpointPaths]:
        """Where a local run's checkpoints are named (Flyte 2's names); in a pod, unknown here."""
        if self._run.mode != "local":
            return None
        raw = self.raw_data_path.path
        return CheckpointPaths(f"{raw}/prev_checkpoint", f"{raw}/checkpoint")

    @property
    def mode(self) -> str:
        return self._run.mode

    @property
    def version(self) -> str:
        return "na" if self._run.mode == "local" else os.environ.get("FLYTE_INTERNAL_TASK_VERSION", "")

    @property
    def run_base_dir(self) -> str:
        run = self._run
        return f"{LOCAL_ROOT}/metadata/{run.run_name}" if run.mode == "local" else run.run_name

    @property
    def output_path(self) -> str:
        return f"{self.run_base_dir}/{self.action.name}"

    @property
    def run_start_time(self) -> datetime:
        return self._run.start_time

    def __bool__(self) -> bool:
        return True

    def replace(self, custom_context: Dict[str, str]) -> TaskContext:
        """The same task's context (the same action, report and data) with another custom context."""
        made = TaskContext(self._run, custom_context)
        made._data, made._action, made._report = self.data, self.action, self.report
        return made

    def __getitem__(self, key: str) -> Optional[Any]:
        return self.data.get(key)

    def is_in_cluster(self) -> bool:
        return self.mode == "remote"

    @property
    def attempt_number(self) -> int:
        return int(os.environ.get("FLYTE_ATTEMPT_NUMBER", "0"))

    @property
    def checkpoint(self) -> Any:
        """The task's checkpoint (:class:`flytekit_ext.flyte.Checkpoint`), or None without one."""
        found = self.data.get("_checkpoint")
        if found is None:
            underlying = task_checkpoint()
            if underlying is None:
                return None
            found = self.data["_checkpoint"] = Checkpoint(underlying)
        return found

    def _env_int(self, name: str) -> Optional[int]:
        value = os.environ.get(name)
        return int(value) if value is not None else None

    rank = property(lambda self: self._env_int("RANK"))
    local_rank = property(lambda self: self._env_int("LOCAL_RANK"))
    world_size = property(lambda self: self._env_int("WORLD_SIZE"))
    local_world_size = property(lambda self: self._env_int("LOCAL_WORLD_SIZE"))
    node_rank = property(lambda self: self._env_int("GROUP_RANK"))
    nnodes = property(lambda self: self._env_int("NNODES"))
    master_port = property(lambda self: self._env_int("MASTER_PORT"))
    restart_attempt = property(lambda self: self._env_int("TORCHELASTIC_RESTART_COUNT"))
    master_addr = property(lambda self: os.environ.get("MASTER_ADDR"))

    def __repr__(self) -> str:
        return (
            f"TaskContext({self.action!r}, {self.version!r}, {self.raw_data_path!r}, {self.output_path!r}, "
            f"{self.run_base_dir!r}, mode={self.mode!r}, custom_context={self.custom_context!r})"
        )


class _NullTaskContext:
    """``flyte.ctx()`` outside a task: false, and every field None."""

    def __bool__(self) -> bool:
        return False

    def __getattr__(self, name: str) -> None:
        if name.startswith("__"):
            raise AttributeError(name)
        return None

    def __getitem__(self, key: str) -> None:
        return None

    def is_in_cluster(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NullTaskContext()"


NULL_TASK_CONTEXT: Any = _NullTaskContext()

#: The environment variable a run launched on a cluster carries its custom context in (JSON).
CUSTOM_CONTEXT_ENV = "FLYTEKIT_EXT_FLYTE_CUSTOM_CONTEXT"

RUN: ContextVar[Optional[RunContext]] = ContextVar("flytekit_ext.flyte.run", default=None)
TASK: ContextVar[Optional[TaskContext]] = ContextVar("flytekit_ext.flyte.task", default=None)


def ctx() -> Any:
    """The running task's context; outside a task a null context, false and with every field None."""
    found = TASK.get()
    return found if found is not None else NULL_TASK_CONTEXT


@contextmanager
def running(context: RunContext) -> Iterator[RunContext]:
    token = RUN.set(context)
    try:
        yield context
    finally:
        RUN.reset(token)


def _pod_run() -> Optional[RunContext]:
    """The run of the execution this pod runs, on a Flyte 1 cluster (``pyflyte-execute`` sets these); read once,
    since a pod's environment does not change."""
    name = os.environ.get("FLYTE_INTERNAL_EXECUTION_ID")
    if name is None:
        return None
    return RunContext(
        run_name=name,
        mode="remote",
        project=os.environ.get("FLYTE_INTERNAL_EXECUTION_PROJECT"),
        domain=os.environ.get("FLYTE_INTERNAL_EXECUTION_DOMAIN"),
        custom_context=json.loads(os.environ.get(CUSTOM_CONTEXT_ENV) or "{}"),
    )


def _flytekit_raw_prefix() -> Optional[str]:
    """The raw data prefix flytekit gives the running task (in a pod: the cluster's), where it has one."""
    import flytekit

    try:
        return flytekit.current_context().raw_output_prefix
    except Exception:  # no task running under flytekit (a bare call): nothing to read
        return None


class task_context:
    """``with task_context(short_name):`` around a task's body: it runs in a task context of its own when it runs
    in a run (else in none: a plain call, as in Flyte 2); the report's tabs become decks when it ends."""

    __slots__ = ("_short_name", "_token", "_made")

    def __init__(self, short_name: str) -> None:
        self._short_name = short_name

    def __enter__(self) -> Optional[TaskContext]:
        run = RUN.get() or _POD_RUN
        if run is None:
            self._made = None
            return None
        caller = TASK.get()
        self._made = TaskContext(run, caller.custom_context if caller is not None else run.custom_context)
        self._token = TASK.set(self._made)
        return self._made

    def __exit__(self, *exc: Any) -> None:
        made = self._made
        if made is None:
            return
        TASK.reset(self._token)
        if made._report is not None:
            report_as_decks(made._report, self._short_name)


_POD_RUN = _pod_run()
