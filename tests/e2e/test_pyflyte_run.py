"""``pyflyte run <file> <entity> --input ...`` on flytekit_ext tasks, workflows and eager tasks, in subprocesses."""

from __future__ import annotations

from typing import Dict, List

import pytest

from tests.e2e import _support as support

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("e2e-run")]

FLOWS_FILE = support.REPO_ROOT / "tests" / "e2e" / "pkg" / "flows.py"

RUNS: Dict[str, List[str]] = {
    "sync": ["add_one", "--x", "3"],
    "async": ["double", "--x", "3"],
    "instance": ["multiply", "--x", "2"],
    "instance_in_workflow": ["pipeline", "--x", "3"],
    "workflow_default": ["pipeline"],
    "eager": ["eager_total", "--x", "3"],
    "dataclass_json": ["shift", "--p", '{"x": 1, "y": 2, "label": "a"}', "--by", "3"],
    "collections_json": ["summarize", "--xs", "[1, 2, 3]", "--weights", '{"1": 0.5, "3": 2.0}'],
    "map_task": ["mapped", "--xs", "[1, 2, 3]"],
    "map_in_processes": ["squares_in_processes", "--xs", "[1, 2, 3]"],
    "wrong_type": ["add_one", "--x", "three"],
    "wrong_json_type": ["summarize", "--xs", "[1, 2]", "--weights", '{"1": "heavy"}'],
    "raises": ["fail", "--message", "boom"],
    "dataframe": ["frame_pipeline", "--n", "3"],
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, support.Finished]:
    """Every ``pyflyte run`` at once, from a directory outside the repo: pyflyte finds the module by its path."""
    jobs = {}
    for key, entity_args in RUNS.items():
        workdir = tmp_path_factory.mktemp(f"run-{key}")
        args = [support.tool("pyflyte"), "run", str(FLOWS_FILE), *entity_args]
        jobs[key] = support.Job(args, workdir, support.subprocess_env())
    return support.run_all(jobs)


def _result(run: support.Finished) -> str:
    """What ``pyflyte run`` printed last: the value the entity returned."""
    assert run.returncode == 0, run.describe()
    lines = [line.strip() for line in run.stdout.splitlines() if line.strip()]
    assert lines and lines[0] == "Running Execution on local.", run.describe()
    return lines[-1]


@pytest.mark.parametrize(
    ("key", "printed"),
    [
        ("sync", "4"),
        ("async", "6"),
        ("instance", "20"),
        ("instance_in_workflow", "80"),  # multiply(double(add_one(3))) = (4 * 2) * 10
        ("workflow_default", "40"),  # x defaults to 1
        ("eager", "38"),  # double(add_one(3)) + multiply(3) = 8 + 30
        ("dataclass_json", "Point(x=4, y=5, label='a+3')"),
        ("collections_json", "{'total': 6.0, 'weighted': 6.5}"),
        ("map_task", "[1, 4, 9]"),
        ("map_in_processes", "[1, 4, 9]"),
    ],
)
def test_pyflyte_run_prints_the_result(runs, key, printed):
    assert _result(runs[key]) == printed


def test_pyflyte_run_shows_a_dataframe_output_kept_in_memory_between_tasks(runs):
    run = runs["dataframe"]
    assert run.returncode == 0, run.describe()
    lines = [line.strip() for line in run.stdout.splitlines() if line.strip()]
    assert lines[-4:] == ["a", "0  0", "1  2", "2  4"], run.describe()


def test_wrong_typed_argument_is_rejected_naming_the_input(runs):
    run = runs["wrong_type"]
    assert run.returncode != 0, run.describe()
    assert "Invalid value for '--x'" in run.output, run.describe()
    assert "three" in run.output


def test_wrong_typed_json_value_fails_naming_the_input(runs):
    run = runs["wrong_json_type"]
    assert run.returncode != 0, run.describe()
    assert "weights" in run.output, run.describe()


def test_task_exception_fails_the_run_with_its_message(runs):
    run = runs["raises"]
    assert run.returncode != 0, run.describe()
    assert "user failure: boom" in run.output, run.describe()
    assert "tests.e2e.pkg.flows.fail" in run.output, run.describe()
