"""In a pod, ``pyflyte-execute`` writes a flytekit_ext task's deck with flytekit's decks and timeline entries."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flytekit_ext.testing import execute_task, package_tasks

pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parents[2]
MODULE = "tests.e2e.pod_decks"


def _deck(spec, work: Path) -> tuple[list[str], list[str]]:
    """The deck.html the pod wrote: its deck names, and the names of its timeline's entries."""
    run = execute_task(spec, {"x": 2}, {"x": int}, work, REPO_ROOT)
    assert run.error is None, run.stderr
    page = (work / "outputs" / "deck.html").read_text()
    names = re.findall(r'<li onclick="handleLinkClick\(this\)">(.*?)</li>', page)
    entries = [re.sub(r"/\S+", "<path>", e) for e in re.findall(r"<tr><td>(.*?)</td><td>[\d.]", page)]
    return names, entries


def test_a_pod_writes_flytekits_decks_and_timeline_entries(tmp_path):
    specs = package_tasks(MODULE, source_root=REPO_ROOT, out_dir=tmp_path)
    theirs = _deck(specs[f"{MODULE}.flytekit_tripled"], tmp_path / "flytekit")
    ours = _deck(specs[f"{MODULE}.ext_tripled"], tmp_path / "ext")
    assert ours == theirs
    assert "Timeline" in ours[0] and "Load task" in ours[1] and "Execute user level code" in ours[1]
