"""Testing tasks the way a cluster runs them: ``pyflyte package``, then the real ``pyflyte-execute``.

For task and plugin authors. :func:`package_tasks` serializes the tasks of a module with the real
``pyflyte --pkgs ... package``; :func:`execute_task` runs one serialized task's container arguments with the
real ``pyflyte-execute``, with ``inputs.pb`` and the outputs on local disk, exactly as a pod would, and returns
what the task wrote: its output literals, or the message of its error document. No cluster, no mocks::

    specs = package_tasks("my_tasks", source_root=Path(__file__).parent, out_dir=tmp_path)
    run = execute_task(specs["count_lines"], {"text": "a\\nb"}, {"text": str}, tmp_path / "run", source_root)
    assert run.error is None and run.output("o0", int) == 2
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Type

from flyteidl.admin import task_pb2
from flyteidl.core import errors_pb2, literals_pb2
from flytekit.core.type_engine import TypeEngine
from flytekit.models.literals import LiteralMap

from flytekit_ext._core.contexts import current_context

DEFAULT_IMAGE = "example.com/flytekit-ext-test:v1"


def _environment(source_root: Path) -> Dict[str, str]:
    # A pod's own settings must not leak in from the test's environment.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE_INTERNAL_", "_F_"))}
    env["PYTHONPATH"] = os.pathsep.join([str(source_root), *filter(None, [env.get("PYTHONPATH")])])
    return env


def _command(name: str) -> str:
    """The console script installed next to this interpreter (the test's virtualenv), else from PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else name


def package_tasks(
    modules: str, source_root: Path, out_dir: Path, image: str = DEFAULT_IMAGE, timeout: float = 300
) -> Dict[str, task_pb2.TaskSpec]:
    """The task specs ``pyflyte --pkgs <modules> package`` writes, by task name (container tasks only)."""
    archive = Path(out_dir) / "flyte-package.tgz"
    command = [_command("pyflyte"), "--pkgs", modules, "package", "--image", image, "-o", str(archive), "-f"]
    done = subprocess.run(
        command, cwd=source_root, env=_environment(source_root), capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise RuntimeError(f"pyflyte package of {modules} failed ({done.returncode}):\n{done.stderr}")
    specs: Dict[str, task_pb2.TaskSpec] = {}
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            data = tar.extractfile(member) if member.name.endswith(".pb") else None
            if data is None:
                continue
            spec = task_pb2.TaskSpec()
            try:
                spec.ParseFromString(data.read())
            except Exception:  # noqa: BLE001 - workflows and launch plans are other messages
                continue
            if spec.template.id.name and spec.template.HasField("container"):
                specs[spec.template.id.name] = spec
    return specs


@dataclass(frozen=True)
class TaskRun:
    """What ``pyflyte-execute`` left behind: the output literals, or the error document's message."""

    outputs: Optional[LiteralMap]
    error: Optional[str]
    stderr: str

    def output(self, name: str, python_type: Type[Any]) -> Any:
        """One output as a Python value of ``python_type``."""
        if self.outputs is None:
            raise AssertionError(f"the task wrote no outputs; its error was: {self.error}")
        return TypeEngine.to_python_value(current_context(), self.outputs.literals[name], python_type)


def execute_task(
    spec: task_pb2.TaskSpec,
    inputs: Mapping[str, Any],
    types: Mapping[str, Type[Any]],
    work_dir: Path,
    source_root: Path,
    timeout: float = 300,
) -> TaskRun:
    """Run ``spec``'s container arguments with the real ``pyflyte-execute`` on ``inputs`` (of ``types``)."""
    work = Path(work_dir)
    work.mkdir(parents=True, exist_ok=True)
    literal_map = TypeEngine.dict_to_literal_map(current_context(), dict(inputs), dict(types))
    (work / "inputs.pb").write_bytes(literal_map.to_flyte_idl().SerializeToString())
    placeholders = {
        "{{.input}}": str(work / "inputs.pb"),
        "{{.outputPrefix}}": str(work / "outputs"),
        "{{.rawOutputDataPrefix}}": str(work / "raw"),
        "{{.checkpointOutputPrefix}}": str(work / "checkpoint"),
        "{{.prevCheckpointPrefix}}": "",
    }
    args = list(spec.template.container.args)
    for placeholder, value in placeholders.items():
        args = [arg.replace(placeholder, value) for arg in args]
    done = subprocess.run(
        [_command(args[0]), *args[1:]],
        cwd=source_root,
        env=_environment(source_root),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    outputs_file, error_file = work / "outputs" / "outputs.pb", work / "outputs" / "error.pb"
    if outputs_file.exists():
        message = literals_pb2.LiteralMap()
        message.ParseFromString(outputs_file.read_bytes())
        return TaskRun(LiteralMap.from_flyte_idl(message), None, done.stderr)
    if error_file.exists():
        document = errors_pb2.ErrorDocument()
        document.ParseFromString(error_file.read_bytes())
        return TaskRun(None, document.error.message, done.stderr)
    raise AssertionError(f"{args[0]} wrote neither outputs.pb nor error.pb (exit {done.returncode}):\n{done.stderr}")
