"""``task.forward(...)``: the body runs right here, in every place a task can be called."""

import asyncio
import inspect

import pytest

from flytekit_ext import eager, task
from tests.pattern_tasks import async_double, double, doubler


def test_forward_runs_the_body_without_literals():
    class NotConvertible:
        pass

    marker = NotConvertible()

    @task
    def identity(x: int) -> int:
        return x

    assert identity.forward(marker) is marker  # no type engine involved
    assert double.forward(x=4) == 8


def test_forward_of_async_task_is_a_coroutine_and_of_instance_task_is_execute():
    coroutine = async_double.forward(3)
    assert inspect.iscoroutine(coroutine)
    assert asyncio.run(coroutine) == 6
    assert doubler.forward(x=5) == 10


def test_forward_with_wrong_arguments_is_the_plain_call_type_error():
    with pytest.raises(TypeError):
        double.forward(y=1)


def test_forward_inside_task_and_eager():
    @task
    def outer(x: int) -> int:
        return double.forward(x) + 1

    @eager
    async def eager_outer(x: int) -> int:
        return await async_double.forward(x) + doubler.forward(x=x)

    assert outer(x=2) == 5
    assert asyncio.run(eager_outer(x=2)) == 8
