"""End-to-end helper: ``pyflyte --pkgs <module> package``, then the serialized container args run by the real
``pyflyte-execute`` with ``inputs.pb`` on local disk; returns the ``outputs.pb`` (or ``error.pb``) literal map."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any, Dict

from flyteidl.admin import task_pb2
from flyteidl.core import errors_pb2, literals_pb2
from flytekit.core.context_manager import FlyteContextManager
from flytekit.core.type_engine import TypeEngine
from flytekit.models.literals import LiteralMap

HERE = Path(__file__).parent


def _env() -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE_INTERNAL_", "_F_"))}
    env["PYTHONPATH"] = os.pathsep.join([str(HERE), *filter(None, [env.get("PYTHONPATH")])])
    return env


def _bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def package(module: str, out_dir: Path) -> Dict[str, task_pb2.TaskSpec]:
    """Task specs by task name, from the archive ``pyflyte package`` writes."""
    archive = out_dir / "flyte-package.tgz"
    subprocess.run(
        [_bin("pyflyte"), "--pkgs", module, "package", "--image", "example.com/img:v1", "-o", str(archive), "-f"],
        cwd=HERE, env=_env(), check=True, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    specs: Dict[str, task_pb2.TaskSpec] = {}
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            if not member.name.endswith(".pb"):
                continue
            spec = task_pb2.TaskSpec()
            try:
                spec.ParseFromString(tar.extractfile(member).read())  # type: ignore[union-attr]
            except Exception:  # workflows and launch plans are other messages
                continue
            if spec.template.id.name and spec.template.HasField("container"):
                specs[spec.template.id.name] = spec
    return specs


def execute(spec: task_pb2.TaskSpec, inputs: Dict[str, Any], types: Dict[str, Any], work: Path):
    """Run the task's container args; ``(outputs LiteralMap, None)`` or ``(None, error message)``."""
    ctx = FlyteContextManager.current_context()
    work.mkdir(parents=True, exist_ok=True)
    (work / "inputs.pb").write_bytes(
        TypeEngine.dict_to_literal_map(ctx, inputs, types).to_flyte_idl().SerializeToString()
    )
    values = {
        "input": str(work / "inputs.pb"),
        "outputPrefix": str(work / "outputs"),
        "rawOutputDataPrefix": str(work / "raw"),
        "checkpointOutputPrefix": str(work / "checkpoint"),
        "prevCheckpointPrefix": "",
    }
    args = list(spec.template.container.args)
    for key, value in values.items():
        args = [a.replace("{{." + key + "}}", value) for a in args]
    assert args[0] == "pyflyte-execute", args
    done = subprocess.run([_bin(args[0]), *args[1:]], cwd=HERE, env=_env(), capture_output=True, text=True, timeout=300)
    outputs, error = work / "outputs" / "outputs.pb", work / "outputs" / "error.pb"
    if outputs.exists():
        message = literals_pb2.LiteralMap()
        message.ParseFromString(outputs.read_bytes())
        return LiteralMap.from_flyte_idl(message), None
    if error.exists():
        document = errors_pb2.ErrorDocument()
        document.ParseFromString(error.read_bytes())
        return None, document.error.message
    raise AssertionError(
        f"pyflyte-execute wrote neither outputs.pb nor error.pb (rc {done.returncode}):\n{done.stderr}"
    )


def to_python(literals: LiteralMap, name: str, python_type: Any) -> Any:
    ctx = FlyteContextManager.current_context()
    return TypeEngine.to_python_value(ctx, literals.literals[name], python_type)
