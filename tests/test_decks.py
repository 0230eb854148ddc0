"""Decks of local calls: the same decks flytekit writes, built without a pip subprocess."""

import asyncio
import subprocess

import flytekit
import pytest
from flytekit.core.utils import timeit

import flytekit_ext


def tripled(x: int) -> int:
    return x * 3


def _decks_after_a_call(decorator) -> dict:
    decorator(enable_deck=True)(tripled)(x=7)
    return {deck.name: deck.html for deck in flytekit.current_context().decks}


def test_a_top_level_call_writes_the_decks_flytekit_writes():
    theirs = _decks_after_a_call(flytekit.task)
    ours = _decks_after_a_call(flytekit_ext.task)
    assert list(ours) == list(theirs)
    assert "7" in ours["Input"] and "21" in ours["Output"]
    assert "tripled" in ours["Source Code"]
    assert "flytekit" in ours["Dependencies"]


def test_no_decks_without_enable_deck():
    flytekit_ext.task(tripled)(x=1)
    assert flytekit.current_context().decks == []


def test_timeline_of_a_top_level_call_reaches_the_callers_context():
    @flytekit_ext.task(enable_deck=True)
    def timed() -> int:
        with timeit("inside the task"):
            return 1

    assert timed() == 1
    entries = [entry["Name"] for entry in flytekit.current_context().timeline_deck.time_info]
    assert "inside the task" in entries


@flytekit_ext.task
async def child(x: int) -> int:
    return x


@flytekit_ext.eager
async def parent(n: int) -> int:
    return sum(await asyncio.gather(*(child(x=i) for i in range(n))))


def test_eager_run_writes_its_dependencies_deck_without_a_subprocess(monkeypatch):
    # flytekit runs pip in a subprocess for this deck (1-2 s a run); flytekit_ext reads the installed metadata.
    def no_subprocess(*args, **kwargs):
        raise AssertionError(f"a local eager run started a subprocess: {args}")

    monkeypatch.setattr(subprocess.Popen, "__init__", no_subprocess)
    assert parent.enable_deck  # eager tasks keep flytekit's default: decks on
    assert asyncio.run(parent(n=10)) == 45
    decks = {deck.name: deck.html for deck in flytekit.current_context().decks}
    assert "flytekit" in decks["Dependencies"]


@pytest.mark.parametrize("decorator", [flytekit.task, flytekit_ext.task], ids=["flytekit", "flytekit_ext"])
def test_decks_of_a_task_called_in_a_workflow_join_the_workflow_run(decorator):
    step = decorator(enable_deck=True)(tripled)

    @flytekit.workflow
    def wf(x: int) -> int:
        return step(x=x)

    assert wf(x=2) == 6
    assert "Output" in {deck.name for deck in flytekit.current_context().decks}
