"""Helpers for the end-to-end tests: console scripts, subprocess environments, protobuf files and literals."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Sequence

from flyteidl.admin import launch_plan_pb2, task_pb2, workflow_pb2
from flyteidl.core import errors_pb2, literals_pb2
from flytekit.core.context_manager import FlyteContextManager
from flytekit.core.type_engine import TypeEngine
from flytekit.core.utils import load_proto_from_file, write_proto_to_file
from flytekit.models.literals import LiteralMap

REPO_ROOT = Path(__file__).resolve().parents[2]
PKG = "tests.e2e.pkg"
MODULE = f"{PKG}.flows"
IMAGE = "ghcr.io/example/flytekit-ext-e2e:v1"
RESOLVER = "flytekit_ext.resolver.default_task_resolver"
FAILURE_RESOLVER = "flytekit_ext.eager_failure_task_resolver"
TIMEOUT_S = 180

# What a task's container args look like before propeller fills in the template variables.
EXECUTE_PREFIX = [
    "--inputs", "{{.input}}",
    "--output-prefix", "{{.outputPrefix}}",
    "--raw-output-data-prefix", "{{.rawOutputDataPrefix}}",
    "--checkpoint-path", "{{.checkpointOutputPrefix}}",
    "--prev-checkpoint", "{{.prevCheckpointPrefix}}",
]  # fmt: skip


def tool(name: str) -> str:
    """A console script of the environment running the tests (pyflyte, pyflyte-execute, ...)."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError(f"console script {name!r} not found next to {sys.executable} or on PATH")
    return found


def subprocess_env(**extra: str) -> Dict[str, str]:
    """The test process's environment without Flyte settings, the repo root importable, no line wrapping."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE", "_F_", "BATCH_JOB_"))}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH", "")) if p)
    env["COLUMNS"] = "200"  # rich wraps long messages at the terminal width
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


@dataclass
class Finished:
    args: List[str]
    returncode: int
    stdout: str
    stderr: str
    workdir: Path

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def describe(self) -> str:
        command = " ".join(self.args)
        return f"$ {command}\n[exit {self.returncode}]\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"


@dataclass
class Job:
    args: List[str]
    workdir: Path
    env: Dict[str, str] = field(default_factory=subprocess_env)


def run_all(jobs: Mapping[str, Job]) -> Dict[str, Finished]:
    """Start every job at once (each is a Python start-up, mostly), then wait for all of them."""
    started = {
        key: subprocess.Popen(
            job.args, cwd=job.workdir, env=job.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for key, job in jobs.items()
    }
    finished = {}
    for key, process in started.items():
        try:
            stdout, stderr = process.communicate(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            stdout, stderr = process.communicate()
        finished[key] = Finished(jobs[key].args, process.returncode, stdout, stderr, jobs[key].workdir)
    return finished


# -- the package ``pyflyte package`` writes --------------------------------------------------------------------

_SPEC_BY_SUFFIX = {
    "_1.pb": task_pb2.TaskSpec,
    "_2.pb": workflow_pb2.WorkflowSpec,
    "_3.pb": launch_plan_pb2.LaunchPlan,
}


@dataclass
class Package:
    """The entities of a ``flyte-package.tgz``, by name (flytekit names files ``<index>_<name>_<kind>.pb``)."""

    tasks: Dict[str, task_pb2.TaskSpec] = field(default_factory=dict)
    workflows: Dict[str, workflow_pb2.WorkflowSpec] = field(default_factory=dict)
    launch_plans: Dict[str, launch_plan_pb2.LaunchPlan] = field(default_factory=dict)
    files: List[str] = field(default_factory=list)

    @classmethod
    def load(cls, directory: Path) -> Package:
        package = cls()
        for path in sorted(directory.glob("*.pb")):
            package.files.append(path.name)
            suffix = path.name[-5:]
            spec = _SPEC_BY_SUFFIX[suffix]()
            spec.ParseFromString(path.read_bytes())
            if isinstance(spec, task_pb2.TaskSpec):
                package.tasks[spec.template.id.name] = spec
            elif isinstance(spec, workflow_pb2.WorkflowSpec):
                package.workflows[spec.template.id.name] = spec
            else:
                package.launch_plans[spec.id.name] = spec
        return package

    def task(self, name: str) -> task_pb2.TaskSpec:
        if name not in self.tasks:
            raise KeyError(f"no task {name!r} in the package; it has {sorted(self.tasks)}")
        return self.tasks[name]


def expected_args(module: str, name: str) -> List[str]:
    return ["pyflyte-execute", *EXECUTE_PREFIX, "--resolver", RESOLVER, "--", "task-module", module, "task-name", name]


# -- literals --------------------------------------------------------------------------------------------------


def write_inputs(path: Path, values: Dict[str, Any], types: Dict[str, type]) -> None:
    ctx = FlyteContextManager.current_context()
    literal_map = TypeEngine.dict_to_literal_map(ctx, values, types)
    write_proto_to_file(literal_map.to_flyte_idl(), str(path))


def read_outputs(path: Path, types: Dict[str, type]) -> Dict[str, Any]:
    ctx = FlyteContextManager.current_context()
    literal_map = LiteralMap.from_flyte_idl(load_proto_from_file(literals_pb2.LiteralMap, str(path)))
    assert set(literal_map.literals) == set(types), f"outputs {set(literal_map.literals)} != expected {set(types)}"
    return TypeEngine.literal_map_to_kwargs(ctx, literal_map, types)


def read_error(path: Path) -> errors_pb2.ContainerError:
    return load_proto_from_file(errors_pb2.ErrorDocument, str(path)).error


def substitute(args: Sequence[str], inputs: Path, outputs: Path, raw: Path, checkpoint: Path) -> List[str]:
    """Fill the template variables as propeller would, with local directories (no previous checkpoint)."""
    values = {
        "{{.input}}": str(inputs),
        "{{.outputPrefix}}": str(outputs),
        "{{.rawOutputDataPrefix}}": str(raw),
        "{{.checkpointOutputPrefix}}": str(checkpoint),
        "{{.prevCheckpointPrefix}}": '""',
    }
    filled = [values.get(arg, arg) for arg in args]
    leftover = [arg for arg in filled if "{{" in arg]
    assert not leftover, f"template variables left unfilled: {leftover}"
    return filled
