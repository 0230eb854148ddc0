"""Task calls are typed: mypy and pyright, run as a user runs them, see what a call takes and returns.

Each checker runs over ``typed_calls_cases.py``, a file of ``assert_type`` lines and of lines that must be
rejected (ending in ``# error``), and over the typed-calls example of docs/tasks.md, which must be clean. A
checker that accepts a line marked as an error, or rejects any other line, fails the test.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Set

import pytest

ROOT = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "typed_calls_cases.py"
EXAMPLE = ROOT / "docs" / "examples" / "typed_calls.py"

# One worker runs both checkers once for all four tests.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("typed-calls")]


def expected_errors(path: Path, checker: str) -> Set[int]:
    """The lines ``checker`` must reject: ``# error`` for both checkers, ``# pyright-error`` for pyright only."""
    markers = ("# error",) if checker == "mypy" else ("# error", "# pyright-error")
    lines = path.read_text().splitlines()
    return {number for number, line in enumerate(lines, 1) if line.rstrip().endswith(markers)}


def mypy_errors(paths: List[Path], cache: Path) -> Dict[Path, Set[int]]:
    # As a user runs it on their project: flytekit has no type information, which mypy is told to accept, and
    # flytekit_ext is checked as an installed package (its own modules' errors are not the user's).
    command = [sys.executable, "-m", "mypy", "--ignore-missing-imports", "--follow-imports", "silent"]
    command += ["--python-version", "3.10", "--config-file", "", "--cache-dir", str(cache), "--no-error-summary"]
    command += [*map(str, paths)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode in (0, 1), done.stdout + done.stderr
    found: Dict[Path, Set[int]] = {path: set() for path in paths}
    for line in done.stdout.splitlines():
        match = re.match(r"(?P<path>[^:]+):(?P<line>\d+): error:", line)
        if match:
            found[(ROOT / match["path"]).resolve()].add(int(match["line"]))
    return found


def pyright_errors(paths: List[Path]) -> Dict[Path, Set[int]]:
    command = [sys.executable, "-m", "pyright", "--outputjson", "--pythonpath", sys.executable, *map(str, paths)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode in (0, 1), done.stdout + done.stderr
    found: Dict[Path, Set[int]] = {path: set() for path in paths}
    for diagnostic in json.loads(done.stdout)["generalDiagnostics"]:
        if diagnostic["severity"] == "error":
            found[Path(diagnostic["file"]).resolve()].add(diagnostic["range"]["start"]["line"] + 1)
    return found


@pytest.fixture(scope="module")
def checked(tmp_path_factory) -> Dict[str, Dict[Path, Set[int]]]:
    paths = [CASES, EXAMPLE]
    return {"mypy": mypy_errors(paths, tmp_path_factory.mktemp("mypy")), "pyright": pyright_errors(paths)}


@pytest.mark.parametrize("checker", ["mypy", "pyright"])
def test_the_checker_rejects_exactly_the_lines_marked_as_errors(checked, checker):
    expected = expected_errors(CASES, checker)
    assert len(expected) >= 15
    found = checked[checker][CASES]
    assert sorted(found - expected) == [], f"{checker} rejects lines that should pass"
    assert sorted(expected - found) == [], f"{checker} accepts lines marked as errors"


@pytest.mark.parametrize("checker", ["mypy", "pyright"])
def test_the_typed_calls_example_is_clean(checked, checker):
    assert checked[checker][EXAMPLE] == set()
