"""Decks of local calls: the same decks flytekit writes, built without a pip subprocess."""

import asyncio
import pickle
import subprocess
from collections import Counter

import flytekit
import pandas as pd
import polars as pl
import pytest
from flytekit.core.utils import timeit
from flytekit.deck.deck import TimeLineDeck

import flytekit_ext
from tests.twins import FLYTEKIT, FLYTEKIT_EXT, load_twin


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


timelines_seen: list = []


def reads_its_timeline(x: int) -> int:
    timelines_seen.append(flytekit.current_context().timeline_deck)
    return x


@pytest.mark.parametrize("decorator", [flytekit.task, flytekit_ext.task], ids=["flytekit", "flytekit_ext"])
def test_a_call_gets_its_own_timeline_not_one_its_caller_read(decorator):
    # Reading the timeline deck keeps it on the caller's parameters; each call's parameters start without one.
    callers = flytekit.current_context().timeline_deck
    timelines_seen.clear()
    decorator(reads_its_timeline)(x=1)
    assert len(timelines_seen) == 1 and timelines_seen[0] is not callers


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


theirs = load_twin("deck_bodies.py", "deck_bodies_flytekit", FLYTEKIT)
ours = load_twin("deck_bodies.py", "deck_bodies_ext", FLYTEKIT_EXT)

COUNTS = pd.DataFrame({"count": [1, 2]})

# Each kind of call, made the same way on either twin module.
CALLS = {
    "top-level call": lambda m: m.tripled(x=1),
    "workflow": lambda m: m.tripled_twice(x=1),
    "eager run": lambda m: asyncio.run(m.gathered(n=3)),
    "pandera input, top-level call": lambda m: m.doubled_counts(df=COUNTS),
    "pandera input, workflow": lambda m: m.doubled_counts_wf(df=COUNTS),
    "pandera input, eager run": lambda m: asyncio.run(m.doubled_counts_eager(df=COUNTS)),
    "polars input": lambda m: m.polars_total(df=pl.DataFrame({"count": [1, 2]})),
    "deck-standard renderer output": lambda m: m.as_table(n=3),
}


def _decks_after(call, module) -> list:
    """The decks the caller's context holds after the call: names, and each timeline's entry names."""
    call(module)
    return [
        (deck.name, sorted(Counter(e["Name"] for e in deck.time_info).items()))
        if isinstance(deck, TimeLineDeck)
        else (deck.name, None)
        for deck in flytekit.current_context().decks
    ]


# Decks flytekit_ext adds to an eager run, over flytekit's: the timeline of its child calls.
OWN_DECKS = ("Child calls",)
# A local eager task's Timeline shows its own steps; flytekit's also has one entry under each step name for each
# child call that writes no decks of its own (its children share the run's decks). The eager run makes three.
UNTIMED_CHILDREN = {"eager run": 3}


def _without_children(decks: list, children: int) -> list:
    return [
        (name, [(step, count - children) for step, count in entries] if name == "Timeline" else entries)
        for name, entries in decks
    ]


@pytest.mark.parametrize("kind", CALLS)
def test_decks_and_timeline_entries_are_flytekits(kind):
    expected = _without_children(_decks_after(CALLS[kind], theirs), UNTIMED_CHILDREN.get(kind, 0))
    assert [deck for deck in _decks_after(CALLS[kind], ours) if deck[0] not in OWN_DECKS] == expected
    assert any(name == "Timeline" and entries for name, entries in expected)  # a timeline with entries to compare


def test_an_eager_runs_child_calls_are_timed_by_name_in_its_child_calls_deck():
    asyncio.run(ours.gathered(n=3))
    decks = {deck.name: deck for deck in flytekit.current_context().decks}
    timeline = [entry["Name"] for entry in decks["Timeline"].time_info]
    assert timeline.count("Execute user level code") == 1  # the eager body's, none of its children's
    assert decks["Child calls"].html.count('data-name="plus_one"') == 3


def _timeline_entry_shapes(module) -> list:
    module.tripled(x=1)
    timeline = next(deck for deck in flytekit.current_context().decks if deck.name == "Timeline")
    return [{key: type(value) for key, value in entry.items()} for entry in timeline.time_info]


def test_timeline_entries_are_flytekits_dicts():
    # What users (and flytekit's renderer) read: a dict per entry, with flytekit's keys and kinds of values.
    assert _timeline_entry_shapes(ours) == _timeline_entry_shapes(theirs)


def test_the_timeline_deck_renders_flytekits_table_of_the_run():
    ours.tripled(x=1)
    timeline = next(deck for deck in flytekit.current_context().decks if deck.name == "Timeline")
    for step in ("Translate literal to python value", "Execute user level code", "dispatch execute"):
        assert f"<td>{step}</td>" in timeline.html
    assert len(timeline.html) > 800  # the table and flytekit's note under it, as flytekit renders them


def test_a_type_plugins_input_deck_reaches_the_task_in_a_direct_call():
    ours.doubled_counts(df=COUNTS)
    names = [deck.name for deck in flytekit.current_context().decks]
    # pandera reports the input while it is converted for the call, and the output when it is returned
    assert names.count("Pandera Report: Counts") == 2
    assert names.index("Pandera Report: Counts") < names.index("Timeline")


retried_attempts: list = []


@flytekit_ext.task(enable_deck=True, retries=1)
def fails_once() -> int:
    retried_attempts.append(1)
    if len(retried_attempts) == 1:
        raise ValueError("first attempt fails")
    return 1


def test_a_retried_calls_timeline_shows_each_attempts_body_and_not_the_wait_as_conversion():
    retried_attempts.clear()
    assert fails_once() == 1
    entries = flytekit.current_context().timeline_deck.time_info
    bodies = [entry for entry in entries if entry["Name"] == "Execute user level code"]
    conversions = [entry for entry in entries if entry["Name"] == "Translate literal to python value"]
    assert len(bodies) == 2 and len(conversions) == 2
    # The 0.5 s wait between the attempts belongs to no step.
    assert all(entry["WallTime"] < 0.25 for entry in conversions)
    assert (conversions[1]["Start"] - bodies[0]["Finish"]).total_seconds() >= 0.4


def test_unpickling_a_task_reference_adds_nothing_to_a_timeline():
    deck = flytekit.current_context().timeline_deck
    before = len(deck.time_info)
    for _ in range(3):
        assert pickle.loads(pickle.dumps(child)) is child
    assert len(deck.time_info) == before
