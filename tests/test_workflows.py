"""flytekit_ext tasks inside flytekit workflows: compiled into nodes, and run locally with the same results."""

import asyncio
import typing

import flytekit
import pytest
from flytekit import LaunchPlan, conditional, map_task
from flytekit.configuration import Image, ImageConfig, SerializationSettings
from flytekit.tools.translator import get_serializable

from flytekit_ext import dynamic, eager, task, workflow


@task
def add(x: int, y: int = 1) -> int:
    return x + y


@task
async def async_double(x: int) -> int:
    await asyncio.sleep(0)
    return x * 2


@task
def describe(x: int) -> str:
    return f"value {x}"


@workflow
def sub(x: int) -> int:
    return add(x=x, y=100)


@workflow
def pipeline(x: int) -> str:
    a = add(x=x)
    b = async_double(x=a)
    c = sub(x=b)
    return describe(x=c)


def settings() -> SerializationSettings:
    return SerializationSettings(
        project="p",
        domain="d",
        version="v",
        image_config=ImageConfig(default_image=Image(name="i", fqn="img", tag="t")),
    )


def test_workflow_runs_locally_with_sync_async_and_subworkflow_nodes():
    assert pipeline(x=2) == "value 106"


def test_async_task_in_a_workflow_is_a_node_not_a_coroutine():
    nodes = pipeline.nodes
    assert [n.flyte_entity for n in nodes][:2] == [add, async_double]
    spec = get_serializable({}, settings(), pipeline)
    task_nodes = [n for n in spec.template.nodes if n.task_node is not None]
    assert len(task_nodes) == 3


@workflow
def branching(x: int) -> int:
    return conditional("sign").if_(x >= 0).then(add(x=x, y=1000)).else_().then(async_double(x=x))


def test_conditionals_take_the_right_branch_locally():
    assert branching(x=1) == 1001
    assert branching(x=-3) == -6


def test_launch_plan_of_a_workflow_with_our_tasks():
    plan = LaunchPlan.get_or_create(pipeline, name="pipeline_lp", default_inputs={"x": 1})
    assert plan(x=3) == "value 108"
    assert plan() == "value 104"


@task
def increment(x: int) -> int:
    return x + 1


@workflow
def mapped(xs: typing.List[int]) -> typing.List[int]:
    return map_task(increment)(x=xs)


def test_map_task_over_our_task_runs_locally_and_serializes():
    assert mapped(xs=[1, 2, 3]) == [2, 3, 4]
    spec = get_serializable({}, settings(), mapped)
    assert spec.template.nodes[0].array_node is not None


@dynamic
def fan_out(n: int) -> typing.List[int]:
    return [add(x=i) for i in range(n)]


@workflow
def uses_dynamic(n: int) -> typing.List[int]:
    return fan_out(n=n)


def test_dynamic_task_runs_locally_at_top_level_and_in_a_workflow():
    assert fan_out(n=3) == [1, 2, 3]
    assert uses_dynamic(n=2) == [1, 2]


def test_short_name_and_override_name_the_node():
    @task(short_name="friendly_add")
    def named_add(x: int) -> int:
        return x + 1

    @workflow
    def wf(x: int) -> int:
        a = named_add(x=x)
        return named_add.override(short_name="second", retries=3)(x=a)

    first, second = wf.nodes
    assert first.metadata.name == "friendly_add"
    assert second.metadata.name == "second"
    assert second.metadata.retries.retries == 3
    assert named_add.metadata.retries == 0  # the task itself is left alone
    assert wf(x=1) == 3


def test_forward_inside_a_workflow_is_a_clear_error():
    with pytest.raises(RuntimeError, match="forward.*@workflow"):

        @workflow
        def wf(x: int) -> int:
            return add.forward(x=x)

        wf(x=1)


def test_eager_task_in_a_workflow_is_a_node():
    @eager
    async def eager_add(x: int) -> int:
        return add(x=x) + await async_double(x=x)

    @workflow
    def wf(x: int) -> int:
        return eager_add(x=x)

    assert wf.nodes[0].flyte_entity is eager_add
    assert wf(x=2) == 7


def test_flytekit_and_flytekit_ext_tasks_mix_in_one_workflow():
    @flytekit.task
    def theirs(x: int) -> int:
        return x - 1

    @workflow
    def wf(x: int) -> int:
        return add(x=theirs(x=x))

    assert wf(x=5) == 5
