"""What the fast local path keeps from flytekit (sandbox, checkpoints, the dependency list) and what it avoids."""

import contextvars
import datetime
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from typing import List

import flytekit
import pytest
from flytekit.core.context_manager import ExecutionParameters, FlyteContextManager, OutputMetadata
from flytekit.models.core.identifier import WorkflowExecutionIdentifier

import flytekit_ext
from flytekit_ext._runtime.decks import installed_distributions


def test_dependencies_deck_lists_what_importlib_metadata_lists():
    ours = {name.lower(): version for name, version in installed_distributions(tuple(sys.path))}
    theirs = {d.metadata["Name"].lower(): d.version for d in metadata.distributions() if d.metadata["Name"]}
    assert ours.keys() == theirs.keys()
    assert ours["flytekit"] == metadata.version("flytekit")


def test_sandbox_is_made_only_when_the_task_asks_for_it():
    seen = {}

    @flytekit_ext.task
    def no_sandbox(x: int) -> int:
        return x

    @flytekit_ext.task
    def uses_sandbox(x: int) -> str:
        directory = flytekit.current_context().working_directory
        seen["dir"] = directory
        with open(os.path.join(directory, "scratch.txt"), "w") as out:
            out.write(str(x))
        return directory

    root = flytekit.current_context().working_directory
    before = set(os.listdir(os.path.dirname(str(root)) or "."))
    no_sandbox(x=1)
    assert set(os.listdir(os.path.dirname(str(root)) or ".")) == before

    first, second = uses_sandbox(x=1), uses_sandbox(x=2)
    assert first != second  # each call gets its own folder, as in flytekit
    assert os.path.isdir(first) and os.path.exists(os.path.join(first, "scratch.txt"))


def checkpoints(x: int) -> str:
    checkpoint = flytekit.current_context().checkpoint
    checkpoint.write(b"progress")
    return f"{checkpoint.read()!r} {sorted(os.listdir(checkpoint._checkpoint_dest))}"


def test_checkpoint_is_available_lazily_and_behaves_as_in_flytekit():
    assert flytekit_ext.task(checkpoints)(x=1) == flytekit.task(checkpoints)(x=1)


# Each call runs in a context of its own, as with flytekit (flytekit_ext/_local/call_context.py): what one
# call, or the code around it, does to a context is never seen by another call.


@flytekit_ext.task
def execution_name() -> str:
    return flytekit.current_context().execution_id.name


@flytekit_ext.task
def writes_a_deck() -> int:
    flytekit.Deck("mine", "<p>written</p>")
    return 1


@flytekit_ext.task
def writes_nothing() -> int:
    return 1


def test_a_top_level_call_sees_the_context_it_is_made_in():
    ctx = FlyteContextManager.current_context()
    assert execution_name() == "local"
    builder = ExecutionParameters.new_builder(ctx.user_space_params)
    builder.execution_id = WorkflowExecutionIdentifier("project", "domain", "other")
    other = ctx.with_execution_state(ctx.execution_state.with_params(user_space_params=builder.build()))
    with FlyteContextManager.with_context(other):
        assert execution_name() == "other"
    assert execution_name() == "local"


def test_each_top_level_call_starts_with_no_decks_and_leaves_its_own():
    writes_nothing()
    writes_a_deck()
    assert [deck.name for deck in flytekit.current_context().decks] == ["mine"]
    writes_nothing()  # as with flytekit: the earlier call's deck is not this call's
    assert flytekit.current_context().decks == []


def test_concurrent_top_level_calls_each_run_in_a_context_of_their_own():
    seen = []
    both_running = threading.Barrier(2, timeout=30)

    @flytekit_ext.task
    def records_its_context() -> int:
        seen.append((id(FlyteContextManager.current_context()), id(flytekit.current_context())))
        both_running.wait()
        return 1

    with ThreadPoolExecutor(2) as pool:
        # Both calls are made in this thread's context, as a map's items are.
        calls = [pool.submit(contextvars.copy_context().run, records_its_context) for _ in range(2)]
        assert [call.result() for call in calls] == [1, 1]
    assert seen[0][0] != seen[1][0] and seen[0][1] != seen[1][1]


@flytekit_ext.task
def marks_its_context() -> List[str]:
    params = flytekit.current_context()
    marks = params.__dict__.get("marks", [])
    params.marks = [*marks, "marked"]
    return marks


def test_an_attribute_a_call_sets_on_its_context_is_not_seen_by_the_next():
    assert [marks_its_context(), marks_its_context(), marks_its_context()] == [[], [], []]


def test_decks_read_after_a_call_keep_what_they_held():
    writes_nothing()
    held = flytekit.current_context().decks
    writes_a_deck()
    assert held == []
    assert [deck.name for deck in flytekit.current_context().decks] == ["mine"]


def test_a_context_used_after_its_call_returned_is_not_given_to_the_next_call():
    kept = []

    @flytekit_ext.task
    def keeps_its_context() -> int:
        kept.append(flytekit.current_context())
        return 1

    @flytekit_ext.task
    def sandbox() -> str:
        return flytekit.current_context().working_directory

    keeps_its_context()
    used_later = kept[0].working_directory  # as a thread the call left running would
    assert sandbox() != used_later


class StampsItsParameters(flytekit_ext.PythonFunctionTask):
    """A plugin-style task whose pre_execute hook changes the parameters it is given in place."""

    def pre_execute(self, user_params: ExecutionParameters) -> ExecutionParameters:
        user_params._execution_date = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
        return user_params


def execution_year() -> int:
    return flytekit.current_context().execution_date.year


def test_what_a_hook_changes_in_its_call_parameters_stays_in_that_call():
    stamped = StampsItsParameters(task_config=None, task_function=execution_year)
    plain = flytekit_ext.task(execution_year)
    assert stamped() == 2000
    assert plain() != 2000  # the next call gets parameters of its own


_MARKER = object()  # not an output of any call: its metadata attaches to nothing, it only stays in a tracker


_tracked_before: List[int] = []  # how much each call's tracker held when its body started


def _adds_output_metadata(x: int) -> int:
    tracker = FlyteContextManager.current_context().output_metadata_tracker
    _tracked_before.append(len(tracker.output_metadata))
    tracker.add(_MARKER, OutputMetadata(artifact=None, dynamic_partitions=None))
    return x


@pytest.mark.parametrize("decorator", [flytekit.task, flytekit_ext.task], ids=["flytekit", "flytekit_ext"])
def test_each_call_tracks_output_metadata_of_its_own(decorator):
    # What a body attaches to its outputs is for that call's outputs only, not its caller's or the next call's.
    adds = decorator(_adds_output_metadata)
    trackers = []

    @decorator
    def caller(x: int) -> int:
        adds(x=x)
        adds(x=x)
        trackers.append(FlyteContextManager.current_context().output_metadata_tracker.output_metadata)
        return x

    _tracked_before.clear()
    caller(x=5)
    assert _tracked_before == [0, 0]  # the second call does not see what the first one tracked
    assert trackers == [{}]
    after = FlyteContextManager.current_context().output_metadata_tracker
    assert after is None or after.output_metadata == {}
