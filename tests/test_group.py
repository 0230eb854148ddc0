"""``flytekit_ext.group``: the calls made in a block belong to a named group (locally: logs and map progress)."""

import asyncio
import logging
import typing

import pytest

import flytekit_ext
from flytekit_ext import eager, group, task, workflow
from flytekit_ext._core import enclosing
from flytekit_ext._core.naming import group_label


@task
def step(x: int) -> int:
    return x + 1


@task
async def async_step(x: int) -> int:
    await asyncio.sleep(0.01)
    return x + 1


@task
def group_inside_the_task() -> str:
    return str(enclosing.current().group)


def _running_lines(records) -> typing.List[str]:
    return [r.getMessage() for r in records if ": running " in r.getMessage()]


def test_calls_at_top_level_show_their_group_in_the_logs(caplog):
    with caplog.at_level(logging.INFO, logger="flytekit"):
        with group("preprocess"):
            step(x=1)
        step(x=2)
    assert _running_lines(caplog.records) == [
        "[preprocess] step: running tests.test_group.step locally",
        "step: running tests.test_group.step locally",
    ]


def test_the_group_logs_when_it_ends(caplog):
    with caplog.at_level(logging.INFO, logger="flytekit"):
        with group("timed"):
            step(x=1)
    assert any(r.getMessage().startswith("group 'timed' ended after ") for r in caplog.records)


@eager
async def two_groups(n: int) -> typing.List[str]:
    async def in_group(name: str) -> str:
        async with group(name):
            await asyncio.gather(*(async_step(x=i) for i in range(n)))
            return str(enclosing.current().group)

    # Both groups run at once; each gathered child must see its own.
    return list(await asyncio.gather(in_group("evens"), in_group("odds")))


def test_concurrent_groups_in_an_eager_task_each_see_their_own(caplog):
    with caplog.at_level(logging.INFO, logger="flytekit"):
        assert asyncio.run(two_groups(n=3)) == ["evens", "odds"]
    lines = _running_lines(caplog.records)
    assert sum(line.startswith("[evens] async_step") for line in lines) == 3
    assert sum(line.startswith("[odds] async_step") for line in lines) == 3


def test_the_inner_group_replaces_the_outer_one_and_the_outer_one_comes_back():
    with group("outer"):
        with group("inner"):
            assert enclosing.current().group == "inner"
        assert enclosing.current().group == "outer"
    assert enclosing.current().group is None


def test_the_group_is_restored_after_an_exception():
    with pytest.raises(RuntimeError):
        with group("failing"):
            raise RuntimeError("boom")
    assert enclosing.current().group is None


def test_a_group_object_may_be_entered_again():
    again = group("again")
    with again:
        with again:
            assert enclosing.current().group == "again"
        assert enclosing.current().group == "again"
    assert enclosing.current().group is None


def test_a_task_body_runs_outside_its_callers_group():
    # As in its own pod on a cluster: the group is the caller's, not the task's.
    with group("caller"):
        assert group_inside_the_task() == "None"


def test_a_map_in_a_group_labels_its_progress_with_the_group(monkeypatch):
    from flytekit_ext._patterns import map as map_module

    labels = []

    class RecordingProgress(map_module.Progress):
        def __init__(self, label, iterables):
            labels.append(label)
            super().__init__(label, iterables)

    monkeypatch.setattr(map_module, "Progress", RecordingProgress)
    with group("batch-1"):
        assert list(flytekit_ext.map(step, [1, 2])) == [2, 3]
        assert list(flytekit_ext.map(step, [1], group_name="squares")) == [2]
    assert labels == ["[batch-1] step", "[batch-1] squares"]


@workflow
def grouped_workflow(x: int) -> int:
    with group("in-a-workflow"):  # workflow nodes have no groups: the block has no effect on them
        return step(x=x)


def test_in_a_workflow_body_a_group_changes_nothing():
    assert [node.flyte_entity for node in grouped_workflow.nodes] == [step]
    assert grouped_workflow(x=1) == 2


@pytest.mark.parametrize("name", [3, None, b"bytes", ["a"]])
def test_a_name_that_is_not_a_str_is_an_error(name):
    with pytest.raises(TypeError, match=r"group: the name must be a str, got"):
        group(name)


@pytest.mark.parametrize("name", ["", "   "])
def test_an_empty_name_is_an_error(name):
    with pytest.raises(ValueError, match="must not be empty"):
        group(name)


def test_group_labels_are_valid_label_values():
    assert group_label("retry-group-1") == "retry-group-1"
    assert group("step 3/node a").label == "step-3-node-a"
    assert group_label("-x-") == "x"
    assert len(group_label("a" * 100)) == 63
    assert group_label("预处理").startswith("g-")
