"""``flyte.run`` locally: what it returns, what a failed run raises, ``run.aio`` and ``with_runcontext``; and
``task.override`` with Flyte 2's keywords."""

from __future__ import annotations

import asyncio

import pytest
from flytekit.models.task import Resources as TaskResources
from flytekit.tools.translator import get_serializable

import flytekit_ext
import flytekit_ext.flyte as flyte
from flytekit_ext import workflow
from tests.flyte2 import failing, kinds
from tests.test_flyte2_tasks import SETTINGS


def test_a_run_returns_its_outputs_as_a_tuple_also_by_name():
    run = flyte.run(kinds.add, 2, y=3)
    assert run.outputs() == (5,) and run.outputs().o0 == 5
    assert repr(run.outputs()) == "ActionOutputs(o0=5)"
    assert run.name == "dry-run" and run.url.startswith("/tmp/flyte/metadata/")
    run.wait()  # a local run has ended when it is returned
    # Printed as Flyte 2 prints a local run.
    assert repr(run).startswith(
        "_InlineRun(\n    url='[blue bold][link=/tmp/flyte/metadata/"
    ) and "    name='dry-run',\n" in repr(run)
    assert flyte.run(failing.pair).outputs() == (1, "one")
    assert repr(flyte.run(failing.pair).outputs()) == 'ActionOutputs(o0=1, o1="one")'
    assert flyte.run(failing.nothing).outputs() == ()


@pytest.mark.parametrize(
    "task, inputs, expected",
    [
        (kinds.double, {"x": 2}, 4),
        (kinds.slow_double, {"x": 2}, 4),
        (kinds.awaits_a_task, {"x": 3}, 6),
        (kinds.maps, {"n": 4}, [0, 2, 4, 6]),
        (kinds.through_a_helper, {"x": 5}, 10),
        (kinds.gathers, {"n": 3}, 303),
        (kinds.partial_of_a_task, {"n": 3}, [1, 2, 3]),
        (kinds.sync_parent, {"x": 2}, 7),
    ],
)
def test_every_kind_of_task_runs_locally(task, inputs, expected):
    assert flyte.run(task, **inputs).outputs()[0] == expected
    assert flyte.with_runcontext(mode="local").run(task, **inputs).outputs()[0] == expected


def test_run_aio_awaits_the_run_on_the_callers_loop():
    async def main():
        return await flyte.run.aio(kinds.maps, n=3), await flyte.with_runcontext().run.aio(kinds.double, x=1)

    mapped, doubled = asyncio.run(main())
    assert mapped.outputs()[0] == [0, 2, 4] and doubled.outputs()[0] == 2


def test_a_failed_run_raises_a_typed_error_with_the_exceptions_class_as_code_and_its_message():
    with pytest.raises(flyte.errors.RuntimeUserError) as raised:
        flyte.run(failing.fails, x=3)
    assert raised.value.code == "ValueError" and str(raised.value) == "bad 3"
    assert isinstance(raised.value.__cause__, ValueError)


def test_in_a_run_a_failed_call_raises_a_typed_error_in_sync_and_async_parents_alike():
    assert flyte.run(failing.sync_catches, x=1).outputs()[0] == "RuntimeUserError ValueError: bad 1"
    assert flyte.run(failing.async_catches, x=2).outputs()[0] == "RuntimeUserError ValueError: bad 2"
    # Outside a run a task is called like a function, as Flyte 2 does: its own exception.
    with pytest.raises(ValueError):
        failing.sync_catches(x=1)


def test_flyte_run_runs_only_tasks():
    with pytest.raises(TypeError, match="flyte.run runs tasks, not function"):
        flyte.run(failing.plain_function)


def test_with_runcontext_refuses_modes_that_flyte_1_does_not_have():
    with pytest.raises(ValueError, match="mode must be 'local' or 'remote'"):
        flyte.with_runcontext(mode="hybrid")
    with pytest.raises(ValueError, match="version is required"):
        flyte.with_runcontext(copy_style="none")


@workflow
def overridden_in_a_workflow(x: int) -> int:
    return kinds.double.override(
        short_name="twice", resources=flyte.Resources(cpu=2, memory=("1Gi", "2Gi")), retries=flyte.RetryStrategy(4)
    )(x=x)


def test_override_takes_flyte_2s_keywords_and_gives_flytekit_node_overrides():
    (node,) = get_serializable({}, SETTINGS, overridden_in_a_workflow).template.nodes
    assert node.metadata.name == "twice"
    assert node.metadata.retries.retries == 4
    names = TaskResources.ResourceName
    resources = node.task_node.overrides.resources
    assert {r.name: r.value for r in resources.requests} == {names.CPU: "2", names.MEMORY: "1Gi"}
    assert {r.name: r.value for r in resources.limits} == {names.MEMORY: "2Gi"}
    assert overridden_in_a_workflow(x=2) == 4
    # The task itself is unchanged.
    assert kinds.double.metadata.retries == 0 and kinds.double.short_name == "double"


def test_an_overridden_task_runs_in_a_run():
    assert flyte.run(failing.overrides_a_child, x=5).outputs()[0] == 10


def test_retries_of_a_task_are_made_locally():
    assert flyte.run(failing.flaky, key="retried-locally").outputs()[0] == 3


def test_flytekit_ext_typed_errors_is_left_as_it_was_after_a_run():
    flyte.run(kinds.double, x=1)
    with pytest.raises(ValueError):
        failing.sync_catches(x=1)
    assert flytekit_ext.errors.RuntimeUserError is flyte.errors.RuntimeUserError
