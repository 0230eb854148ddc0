"""Flyte 2's own example programs, ported by changing their import, print what they print under Flyte 2.

Each program in ``tests/flyte2_examples/`` runs as ``python -m`` (as ``python example.py`` runs under Flyte 2),
all at once. Its standard output, without log records, must be what the example printed when run locally
with Flyte 2 (flyte 2.12.1), except where Flyte 2 prints something of its own run:

* the run's metadata path and name (``flyte.run(...).url`` / ``.name``), and the repr of the run object, which
  the shim prints as ``<run-url>``, ``<run-name>`` and ``<run>``;
* task names: Flyte 2 names a task ``<environment>.<function>``, flytekit ``<module>.<function>``;
* the module of the error classes (``flyte.errors`` there, ``flytekit_ext.errors`` here);
* lines printed by items of a ``map``, which run one after another in Flyte 2's local mode and concurrently
  here: they may come in any order, and the words of one ``print`` may interleave with another's;
* an uncaught error, which Flyte 2's excepthook prints to standard output, and Python here to standard error.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, FrozenSet, List, Union

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "tests.flyte2_examples"
LOG_RECORD = re.compile(r"^\d\d:\d\d:\d\d\.\d+ +(DEBUG|INFO|WARNING|ERROR|CRITICAL) ")
CONTINUATION = " " * 25

Expected = List[Union[str, FrozenSet[str]]]  # a frozenset: these lines, printed concurrently

EXPECTED: Dict[str, Expected] = {
    "map_with_partials": [
        "['0', '1', '2']",
        frozenset({"daniel shared_config 0", "daniel shared_config 1", "daniel shared_config 2"}),
        "daniel",
        "daniel",
        "daniel",
        "Caught expected TypeError: Parameter 'name' is provided both as positional argument and keyword argument "
        "in partial function map_partial.my_task.",
        "<run-url>",
    ],
    "grouping": ["10", "<run-url>"],
    "trace_sync": ["<run-url>"],
    "exception_handling": [
        "Caught exception: This always fails 1, of type <class 'flyte.errors.RuntimeUserError'>, ValueError",
        "100000000",
        "<run>",
    ],
    "side_effect_traces": [
        *[line for i in range(5) for line in (f"Square {i}", f"Now {i} {i * i}", f"x: {i}, y: {i * i}")],
        "Now 1",
        "No input val: 42",
        "Now 2",
        "Hello World",
        "Optional val: None",
        "Echoed Optional val: None",
        "Bool val: False",
        "<run-name>",
        "<run-url>",
    ],
    "trace_fanout": ["<run-url>"],
}

# flytekit's task names, as Flyte 2 spells them.
RENAMED = {f"{PACKAGE}.map_with_partials.": "map_partial.", "flytekit_ext.errors.": "flyte.errors."}


def printed(stdout: str) -> List[str]:
    """The program's own lines: log records (and their wrapped continuation lines) removed, names renamed."""
    lines: List[str] = []
    in_record = False
    for line in stdout.splitlines():
        if LOG_RECORD.match(line):
            in_record = True
            continue
        if in_record and line.startswith(CONTINUATION):
            continue
        in_record = False
        for ours, theirs in RENAMED.items():
            line = line.replace(ours, theirs)
        lines.append(line.rstrip())
    return lines


def matches(lines: List[str], expected: Expected) -> bool:
    position = 0
    for item in expected:
        if isinstance(item, frozenset):
            # Concurrent prints: the same characters on as many lines, in any order.
            if sorted("".join(lines[position : position + len(item)])) != sorted("".join(item)):
                return False
            position += len(item)
        else:
            if position >= len(lines) or lines[position] != item:
                return False
            position += 1
    return position == len(lines)


@pytest.fixture(scope="module")
def runs() -> Dict[str, subprocess.CompletedProcess]:
    names = [*EXPECTED, "non_recoverable_error"]
    started = {
        name: subprocess.Popen(
            [sys.executable, "-m", f"{PACKAGE}.{name}"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "PYTHONUNBUFFERED": "1", "HOME": str(ROOT)},
        )
        for name in names
    }
    finished = {}
    for name, process in started.items():
        stdout, stderr = process.communicate(timeout=300)
        finished[name] = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    return finished


@pytest.mark.parametrize("name", list(EXPECTED))
def test_the_ported_example_prints_what_flyte_2_prints(runs, name):
    run = runs[name]
    assert run.returncode == 0, run.stderr
    lines = printed(run.stdout)
    assert matches(lines, EXPECTED[name]), "\n".join(lines)


def test_a_non_recoverable_error_fails_the_run_on_its_first_of_four_attempts(runs):
    # Flyte 2: exit status 1, "RuntimeUserError: Input x=-5 is negative. ..." from its excepthook, one attempt.
    run = runs["non_recoverable_error"]
    assert run.returncode == 1
    assert printed(run.stdout) == []
    last = run.stderr.strip().splitlines()[-2:]
    assert last[0].endswith("validate_and_process' after 1 of 4 attempts:"), run.stderr
    assert "NonRecoverableError: Error encountered while executing" in last[0]
    assert last[1].strip() == "Input x=-5 is negative. Negative inputs are always invalid — retrying would not help."
    assert "retrying in" not in run.stdout + run.stderr
