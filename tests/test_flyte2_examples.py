"""The project's own Flyte 2 programs (``tests/flyte2_examples/``) run as scripts and print what Flyte 2 prints.

Each program is a Flyte 2 program with its import changed to ``flytekit_ext.flyte``. What it is expected to
print (below) is what Flyte 2.12.1 prints for it with ``import flyte``, compared as the example harness compares
(``tools/flyte2_examples``): standard output and the exit status; log records of the framework dropped, the
program's own ``flyte.logger`` records kept as ``LEVEL file.py:LINE - message``. The same programs serialize with
``pyflyte package`` and run with ``pyflyte run``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import pytest

from flytekit_ext.testing import package_tasks
from tests.e2e import _support as support

pytestmark = pytest.mark.xdist_group("flyte2-examples")

PROGRAMS = Path(__file__).resolve().parent / "flyte2_examples"
RECORD = re.compile(r"^\d\d:\d\d:\d\d\.\d{6} (?P<level>[A-Z]+) +(?:\[[^]]*\]\[[^]]*\] +)?(?P<rest>.*)$")
LOCATION = re.compile(r"^(?P<file>[\w.-]+\.py):\d+ - ")

# (exit status, standard output), as Flyte 2.12.1 prints them for the same programs with `import flyte`.
EXPECTED: Dict[str, tuple[int, List[str]]] = {
    "orders": (0, ["3 lines, 14.30 EUR", "ActionOutputs(o0=[2.2, 3.3, 8.8])", "1 lines, 24.00 USD"]),
    "failures": (
        0,
        [
            "12",
            "ValueError: invalid literal for int() with base 10: 'twelve'",
            "7",
            "int / RuntimeUserError",
            "the run failed: RuntimeUserError ValueError: invalid literal for int() with base 10: 'many'",
        ],
    ),
    "gives_up": (
        1,
        ["age 30", "Filtered traceback (most recent call last):", "RuntimeUserError: age -1 can never be valid"],
    ),
    "steps": (
        0,
        [
            "fetching page 0",
            "noted page-0",
            "fetching page 1",
            "noted page-1",
            "missing: None",
            "fetching page 2",
            "fetching page 3",
            "slept: True",
            "['page-0', 'page-1', 'page-2', 'page-3']",
            "36",
        ],
    ),
    "context": (
        0,
        [
            "outside a task: False",
            "INFO context.py:18 - surveying",
            "in a task: True, mode local",
            "maps/?",
            "maps/north",
            "maps/?",
        ],
    ),
    "values": (0, ["ints 6 wide (x2)", "5 lines", "a.txt,b.txt", "sum of squares 30"]),
    "settings": (0, ["hello world / WORLD"]),
}
# Lines printed by concurrently running items may come in another order: compared as a set.
UNORDERED = {"steps": {"fetching page 2", "fetching page 3"}}


def compared(stdout: str, program: str) -> List[str]:
    """The program's own lines: the framework's log records dropped (with their continuation lines), its own
    ``flyte.logger`` records kept without their time and run names, trailing spaces and blank lines dropped."""
    kept: List[str] = []
    dropping = False
    for line in stdout.splitlines():
        record = RECORD.match(line)
        if record is not None:
            location = LOCATION.match(record["rest"])
            dropping = location is None or location["file"] != f"{program}.py"
            if not dropping:
                kept.append(f"{record['level']} {record['rest'].rstrip()}")
            continue
        if dropping and line.startswith(" " * 25):
            continue
        dropping = False
        kept.append(line.rstrip())
    while kept and not kept[-1]:
        kept.pop()
    return kept


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, support.Finished]:
    """Every program at once, each as ``python <program>.py`` from a folder of its own."""
    jobs = {
        name: support.Job([sys.executable, str(PROGRAMS / f"{name}.py")], tmp_path_factory.mktemp(name))
        for name in EXPECTED
    }
    return support.run_all(jobs)


@pytest.mark.parametrize("program", list(EXPECTED))
def test_the_program_prints_what_flyte_2_prints(runs, program):
    run = runs[program]
    status, expected = EXPECTED[program]
    lines = compared(run.stdout, program)
    assert run.returncode == status, run.describe()
    unordered = UNORDERED.get(program, set())
    assert [line for line in lines if line not in unordered] == [line for line in expected if line not in unordered]
    assert sorted(line for line in lines if line in unordered) == sorted(unordered)


def test_the_programs_log_records_name_its_file_and_line_and_the_run(runs):
    (record,) = [line for line in runs["context"].stdout.splitlines() if "surveying" in line]
    assert re.fullmatch(
        r"\d\d:\d\d:\d\d\.\d{6} INFO     \[[0-9a-f-]{36}\]\[[0-9a-z]{25}\] context\.py:18 - surveying", record
    )


def test_every_program_serializes_with_pyflyte_package(tmp_path):
    spec = package_tasks("tests.flyte2_examples", source_root=support.REPO_ROOT, out_dir=tmp_path)
    # Tasks are named as in Flyte 2: <environment>.<function>.
    assert {"orders.checkout", "orders.price", "values.main", "settings-bigger.shout", "gives_up.check"} <= set(spec)
    # Parents are eager tasks; leaves are not; settings reach the container.
    assert spec["orders.checkout"].template.metadata.is_eager and not spec["orders.price"].template.metadata.is_eager
    assert spec["settings.greet"].template.metadata.retries.retries == 2
    assert spec["settings.greet"].template.metadata.discoverable
    limits = {r.value for r in spec["settings-bigger.shout"].template.container.resources.requests}
    assert {"4", "4Gi", "1"} <= limits


def test_a_program_runs_with_pyflyte_run(tmp_path):
    args = [support.tool("pyflyte"), "run", str(PROGRAMS / "orders.py"), "checkout", "--quantity", "4"]
    done = subprocess.run(args, cwd=tmp_path, env=support.subprocess_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "3 lines, 14.30 EUR" in done.stdout and "[2.2, 3.3, 8.8]" in done.stdout
