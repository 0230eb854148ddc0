"""Session fixtures: one real ``pyflyte package`` run, and one batch of real ``pyflyte-execute`` runs of its tasks."""

from __future__ import annotations

import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

from tests.e2e import _support as support
from tests.e2e.pkg import flows


@pytest.fixture(scope="session")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> support.Package:
    """``pyflyte --pkgs tests.e2e.pkg package``, run from the repository root, extracted and parsed."""
    workdir = tmp_path_factory.mktemp("package")
    archive = workdir / "flyte-package.tgz"
    args = [
        support.tool("pyflyte"),
        "--pkgs", support.PKG,
        "package",
        "--image", support.IMAGE,
        "--output", str(archive),
        "-f",
    ]  # fmt: skip
    done = subprocess.run(
        args,
        cwd=support.REPO_ROOT,
        env=support.subprocess_env(),
        capture_output=True,
        text=True,
        timeout=support.TIMEOUT_S,
    )
    finished = support.Finished(args, done.returncode, done.stdout, done.stderr, workdir)
    assert done.returncode == 0, finished.describe()
    extracted = workdir / "extracted"
    with tarfile.open(archive) as tar:
        if hasattr(tarfile, "data_filter"):  # Python >= 3.10.12 / 3.11.4
            tar.extractall(extracted, filter="data")
        else:
            tar.extractall(extracted)
    return support.Package.load(extracted)


@dataclass
class Case:
    """One ``pyflyte-execute`` run of a packaged task on local directories."""

    task: str  # the TaskTemplate's name in the package
    inputs: Dict[str, Any]
    input_types: Dict[str, type]
    env: Optional[Dict[str, str]] = None
    task_name_arg: Optional[str] = None  # replace the ``task-name`` loader arg, to ask for a task that isn't there


def _task_name(short: str) -> str:
    return f"{support.MODULE}.{short}"


def _map_task_name(package: support.Package) -> str:
    (name,) = [name for name in package.tasks if name.startswith(_task_name("map_square_"))]
    return name


def execution_cases(package: support.Package) -> Dict[str, Case]:
    point = flows.Point
    return {
        "sync": Case(_task_name("add_one"), {"x": 3}, {"x": int}),
        "async": Case(_task_name("double"), {"x": 5}, {"x": int}),
        "dataclass": Case(_task_name("shift"), {"p": point(x=1, y=2, label="a"), "by": 3}, {"p": point, "by": int}),
        "collections": Case(
            _task_name("summarize"),
            {"xs": [1, 2, 3], "weights": {"1": 0.5, "3": 2.0}},
            {"xs": List[int], "weights": Dict[str, float]},
        ),
        "instance": Case("multiply", {"x": 4}, {"x": int}),
        "raises": Case(_task_name("fail"), {"message": "boom"}, {"message": str}),
        "raises_non_recoverable": Case(_task_name("fail_for_good"), {"message": "boom"}, {"message": str}),
        "raises_flytekit_non_recoverable": Case(
            _task_name("fail_as_flytekit_says"), {"message": "broken"}, {"message": str}
        ),
        "only_raises": Case(_task_name("only_raises"), {"x": 7}, {"x": int}),
        "wrong_output_type": Case(_task_name("wrong_output"), {"x": 7}, {"x": int}),
        "wrong_input_type": Case(_task_name("add_one"), {"x": "three"}, {"x": str}),
        "map_index_2": Case(
            _map_task_name(package),
            {"x": [1, 2, 3, 4]},
            {"x": List[int]},
            env={"BATCH_JOB_ARRAY_INDEX_VAR_NAME": "E2E_ARRAY_INDEX", "E2E_ARRAY_INDEX": "2"},
        ),
        "missing_task": Case(_task_name("add_one"), {"x": 1}, {"x": int}, task_name_arg="no_such_task"),
    }


def _container_args(package: support.Package, case: Case) -> List[str]:
    args = list(package.task(case.task).template.container.args)
    if case.task_name_arg is not None:
        index = args.index("task-name")
        args[index + 1] = case.task_name_arg
    return args


@dataclass
class Execution:
    case: Case
    process: support.Finished

    @property
    def outputs_pb(self) -> Path:
        return self.process.workdir / "outputs" / "outputs.pb"

    @property
    def error_pb(self) -> Path:
        return self.process.workdir / "outputs" / "error.pb"

    def outputs(self, types: Dict[str, type]) -> Dict[str, Any]:
        assert self.process.returncode == 0, self.process.describe()
        assert not self.error_pb.exists(), support.read_error(self.error_pb).message + "\n" + self.process.describe()
        assert self.outputs_pb.exists(), self.process.describe()
        return support.read_outputs(self.outputs_pb, types)

    def error(self) -> Any:
        assert self.error_pb.exists(), f"no error.pb\n{self.process.describe()}"
        assert not self.outputs_pb.exists(), self.process.describe()
        return support.read_error(self.error_pb)


@pytest.fixture(scope="session")
def executions(packaged: support.Package, tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Execution]:
    """Every case run at once, each by the real ``pyflyte-execute`` (or ``pyflyte-map-execute``) in its own
    directory, with the container args taken from the package and its template variables filled in."""
    jobs: Dict[str, support.Job] = {}
    cases = execution_cases(packaged)
    for key, case in cases.items():
        workdir = tmp_path_factory.mktemp(f"execute-{key}")
        inputs = workdir / "inputs.pb"
        support.write_inputs(inputs, case.inputs, case.input_types)
        dirs = [workdir / name for name in ("outputs", "raw", "checkpoint")]
        for directory in dirs:
            directory.mkdir()
        args = support.substitute(_container_args(packaged, case), inputs, *dirs)
        args[0] = support.tool(args[0])
        env = support.subprocess_env(
            FLYTE_INTERNAL_EXECUTION_PROJECT="e2e-project",
            FLYTE_INTERNAL_EXECUTION_DOMAIN="development",
            FLYTE_INTERNAL_EXECUTION_ID=f"e2e-{key.replace('_', '-')}",
            FLYTE_INTERNAL_TASK_PROJECT="e2e-project",
            FLYTE_INTERNAL_TASK_DOMAIN="development",
            FLYTE_INTERNAL_TASK_NAME=case.task,
            FLYTE_INTERNAL_TASK_VERSION="v1",
            **(case.env or {}),
        )
        # The working directory is not the repository: the module must import through PYTHONPATH, as in an image.
        jobs[key] = support.Job(args, workdir, env)
    finished = support.run_all(jobs)
    return {key: Execution(cases[key], finished[key]) for key in cases}
