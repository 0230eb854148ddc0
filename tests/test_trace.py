"""``flytekit_ext.trace``: calls of helper functions in an eager task are recorded, shown in its deck, and (with a
checkpoint from an earlier attempt, as a backend gives a retried task) reused instead of run again.

The backend round trip, a parent failing once and reusing its traces, is in tests/backend.
"""

import asyncio
import inspect
import typing
from dataclasses import dataclass
from pathlib import Path

import flytekit
import pytest
from flytekit.core.checkpointer import SyncCheckpoint

import flytekit_ext
from flytekit_ext import eager, errors, task, trace
from flytekit_ext._core import enclosing
from flytekit_ext._eager.traces import TraceRecorder

ran: typing.List[str] = []


@pytest.fixture(autouse=True)
def fresh_log():
    ran.clear()


@trace
async def fetch(x: int, scale: int = 10) -> int:
    ran.append(f"fetch {x}")
    await asyncio.sleep(0)
    return x * scale


@trace
def parse(text: str) -> typing.List[str]:
    ran.append(f"parse {text}")
    return text.split()


@trace
async def flaky(x: int) -> int:
    ran.append(f"flaky {x}")
    raise ConnectionError(f"no answer for {x}")


@trace
def numbers(n: int) -> typing.Iterator[int]:
    yield from range(n)


@task
def uses_a_trace(x: int) -> int:
    return asyncio.run(fetch(x))


@eager(enable_deck=True)
async def traced_parent(x: int) -> typing.List[int]:
    a = await fetch(x)
    words = parse("one two")
    try:
        await flaky(x)
    except ConnectionError:
        pass
    b = uses_a_trace(x=x + 1)  # a task: its own body is not part of this eager run
    return [a, len(words), b, sum(numbers(3))]


def _deck(name: str) -> str:
    return {deck.name: deck.html for deck in flytekit.current_context().decks}[name]


def test_outside_an_eager_task_a_traced_function_is_called_as_it_is():
    assert asyncio.run(fetch(2)) == 20
    assert parse("a b") == ["a", "b"]
    assert ran == ["fetch 2", "parse a b"]


def test_a_traced_function_keeps_its_kind_and_name():
    assert inspect.iscoroutinefunction(fetch)
    assert not inspect.iscoroutinefunction(parse)
    assert fetch.__name__ == "fetch" and fetch.__wrapped__ is not None  # type: ignore[attr-defined]


def test_calls_in_a_local_eager_task_are_recorded_in_its_deck():
    assert asyncio.run(traced_parent(x=1)) == [10, 2, 20, 3]
    deck = _deck("Traces")
    assert deck.count("<tr><td>") == 3  # fetch, parse, flaky; not the task's own call of fetch
    assert "tests.test_trace.fetch" in deck and "{&#x27;x&#x27;: 1, &#x27;scale&#x27;: 10}" in deck
    assert "tests.test_trace.parse" in deck and "[&#x27;one&#x27;, &#x27;two&#x27;]" in deck
    assert "ConnectionError: no answer for 1" in deck
    assert ran == ["fetch 1", "parse one two", "flaky 1", "fetch 2"]


def test_an_error_of_a_traced_call_is_raised_as_it_is():
    recorder = TraceRecorder()
    token = enclosing.enter(enclosing.changed(traces=recorder))
    try:
        with pytest.raises(ConnectionError, match="no answer for 3"):
            asyncio.run(flaky(3))
    finally:
        enclosing.leave(token)
    (record,) = recorder.records
    assert isinstance(record.error, ConnectionError) and record.duration >= 0


def test_generator_functions_are_called_as_they_are():
    assert list(numbers(4)) == [0, 1, 2, 3]


def test_trace_on_a_task_is_an_error_when_decorating():
    with pytest.raises(TypeError, match=r"'tests.test_trace.uses_a_trace' is a task; @trace is for plain functions"):
        trace(uses_a_trace)
    with pytest.raises(TypeError, match="is a task"):
        trace(uses_a_trace.override(short_name="x"))


def test_trace_on_something_not_callable_is_an_error():
    with pytest.raises(TypeError, match="expected a function"):
        trace(42)  # type: ignore[arg-type]


def _checkpoint(root: Path, attempt: int) -> SyncCheckpoint:
    previous = str(root / f"attempt-{attempt - 1}") if attempt else None
    return SyncCheckpoint(checkpoint_dest=str(root / f"attempt-{attempt}"), checkpoint_src=previous)


async def _calls_in_attempt(recorder: TraceRecorder) -> typing.List[int]:
    token = enclosing.enter(enclosing.changed(traces=recorder))
    try:
        return [await fetch(1), await fetch(1), await fetch(2, scale=3), len(parse("x y z"))]
    finally:
        enclosing.leave(token)


def test_a_later_attempt_reuses_the_calls_an_earlier_one_completed(tmp_path):
    first = TraceRecorder.for_checkpoint(_checkpoint(tmp_path, 0))
    assert asyncio.run(_calls_in_attempt(first)) == [10, 10, 6, 3]
    assert ran == ["fetch 1", "fetch 1", "fetch 2", "parse x y z"]
    ran.clear()
    second = TraceRecorder.for_checkpoint(_checkpoint(tmp_path, 1))
    assert asyncio.run(_calls_in_attempt(second)) == [10, 10, 6, 3]
    assert ran == []  # nothing ran again
    assert all(record.reused for record in second.records)
    # The third attempt sees them too: the second copied them into its own checkpoint.
    third = TraceRecorder.for_checkpoint(_checkpoint(tmp_path, 2))
    assert asyncio.run(_calls_in_attempt(third)) == [10, 10, 6, 3]
    assert ran == []


def test_a_call_with_other_inputs_or_one_more_call_runs(tmp_path):
    first = TraceRecorder.for_checkpoint(_checkpoint(tmp_path, 0))
    asyncio.run(_calls_in_attempt(first))
    ran.clear()

    async def more(recorder: TraceRecorder) -> None:
        token = enclosing.enter(enclosing.changed(traces=recorder))
        try:
            await fetch(1)  # recorded
            await fetch(1)  # recorded (the second call with these inputs)
            await fetch(1)  # a third: runs
            await fetch(5)  # other inputs: runs
        finally:
            enclosing.leave(token)

    asyncio.run(more(TraceRecorder.for_checkpoint(_checkpoint(tmp_path, 1))))
    assert ran == ["fetch 1", "fetch 5"]


def test_a_recoverable_error_is_not_reused_but_a_non_recoverable_one_is(tmp_path):
    @trace
    async def refuses(x: int) -> int:
        ran.append(f"refuses {x}")
        if x < 0:
            raise errors.NonRecoverableError(f"{x} is negative")
        raise ConnectionError("try again")

    async def attempt(recorder: TraceRecorder) -> typing.List[str]:
        token = enclosing.enter(enclosing.changed(traces=recorder))
        seen = []
        try:
            for x in (-1, 1):
                try:
                    await refuses(x)
                except Exception as error:  # noqa: BLE001
                    seen.append(type(error).__name__)
        finally:
            enclosing.leave(token)
        return seen

    assert asyncio.run(attempt(TraceRecorder.for_checkpoint(_checkpoint(tmp_path, 0)))) == [
        "NonRecoverableError",
        "ConnectionError",
    ]
    ran.clear()
    assert asyncio.run(attempt(TraceRecorder.for_checkpoint(_checkpoint(tmp_path, 1)))) == [
        "NonRecoverableError",
        "ConnectionError",
    ]
    assert ran == ["refuses 1"]  # the connection error is tried again; the negative input is not


@dataclass(repr=False)
class Point:
    """Prints as ``<...Point object at 0x...>``: another repr for every object."""

    x: int
    y: int


@dataclass
class Batch:
    values: typing.List[int]

    def __repr__(self) -> str:
        return "Batch(...)"  # every batch prints alike


@trace
async def norm(p: Point) -> int:
    ran.append(f"norm {p.x},{p.y}")
    return abs(p.x) + abs(p.y)


@trace
def total(batch: Batch) -> int:
    ran.append(f"total {batch.values}")
    return sum(batch.values)


def test_a_traced_call_is_found_again_by_its_inputs_not_by_how_they_print(tmp_path):
    async def attempt(recorder: TraceRecorder, values: typing.List[int]) -> typing.List[int]:
        token = enclosing.enter(enclosing.changed(traces=recorder))
        try:
            return [await norm(Point(1, 2)), total(Batch(values))]
        finally:
            enclosing.leave(token)

    assert asyncio.run(attempt(TraceRecorder.for_checkpoint(_checkpoint(tmp_path, 0)), [1, 2])) == [3, 3]
    ran.clear()
    # norm's input prints differently but is the same: reused. total's prints the same but differs: it runs.
    assert asyncio.run(attempt(TraceRecorder.for_checkpoint(_checkpoint(tmp_path, 1)), [1, 3])) == [3, 4]
    assert ran == ["total [1, 3]"]


def test_map_of_a_trace_is_an_error():
    with pytest.raises(TypeError, match="expected a flytekit_ext task"):
        flytekit_ext.map(fetch, [1])
