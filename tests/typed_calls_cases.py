"""Task calls as a type checker sees them; checked by mypy and pyright (tests/test_typed_calls.py), never run.

Every line must pass both checkers, except the lines ending in ``# error``, which each checker must reject, and
those ending in ``# pyright-error``, which pyright must reject and mypy cannot see (see ``the_classes``).
"""

# ruff: noqa: F841 - variables annotated to check what is assigned to them

import asyncio
import functools
from typing import Any, Coroutine, Dict, List, NamedTuple

from flytekit.core.interface import Interface
from flytekitplugins.dask import Dask
from typing_extensions import assert_type

from flytekit_ext import (
    AsyncPythonFunctionTask,
    EagerAsyncPythonFunctionTask,
    OverriddenTask,
    PythonFunctionTask,
    PythonInstanceTask,
    dynamic,
    eager,
    map,
    task,
    workflow,
)


@task
def add(x: int, y: int = 1) -> int:
    return x + y


@task(retries=2, short_name="slow")
async def slow_add(x: int) -> int:
    await asyncio.sleep(0)
    return x + 1


@eager
async def total(n: int) -> int:
    return sum(await asyncio.gather(*(slow_add(x=i) for i in range(n))))


@eager(retries=1)
async def total_again(n: int) -> int:
    return await total(n=n)


@dynamic
def fan_out(n: int) -> List[int]:
    return [add(x=i) for i in range(n)]


@task(task_config=Dask())
def with_plugin(text: str) -> Dict[str, int]:
    return {text: len(text)}


class Stats(NamedTuple):
    size: int
    mean: float


@task
def stats(values: List[float]) -> Stats:
    return Stats(len(values), sum(values) / len(values))


@task
def nothing() -> None:
    pass


class Shout(PythonInstanceTask[None]):
    def execute(self, **inputs: Any) -> str:
        return str(inputs["text"]).upper()


shout = Shout(name="shout", task_config=None, interface=Interface(inputs={"text": str}, outputs={"o0": str}))


@workflow
def pipeline(x: int) -> int:
    # In a workflow body a call gives promises at run time; typed as the outputs, the workflow's own types check.
    return add(x=add(x=x), y=x)


def the_classes() -> None:
    # flytekit has no type information, so mypy sees flytekit's classes as Any, and a class derived from Any is
    # assignable to any type: only pyright tells a sync task from an async one by class.
    sync: PythonFunctionTask[Any, ..., int] = add
    not_async: AsyncPythonFunctionTask[Any, ..., int] = add  # pyright-error
    async_: AsyncPythonFunctionTask[Any, ..., int] = slow_add
    eager_: EagerAsyncPythonFunctionTask[Any, ..., int] = total
    overridden: OverriddenTask[..., Coroutine[Any, Any, int], int] = slow_add.override(retries=1)


def sync_calls() -> None:
    assert_type(add(x=1), int)
    assert_type(add(1, y=2), int)
    assert_type(add.forward(x=1), int)
    assert_type(stats(values=[1.0]).mean, float)
    assert_type(nothing(), None)
    assert_type(fan_out(n=2), List[int])
    assert_type(with_plugin(text="a"), Dict[str, int])
    assert_type(add.override(short_name="first")(x=1), int)
    assert_type(add.override(retries=1).override(short_name="twice").forward(x=1), int)
    _ = assert_type(slow_add(x=1), Coroutine[Any, Any, int])
    _ = assert_type(slow_add.forward(x=1), Coroutine[Any, Any, int])
    _ = assert_type(total(n=2), Coroutine[Any, Any, int])
    assert_type(asyncio.run(total(n=2)), int)
    assert_type(shout(text="a"), Any)
    _ = assert_type(shout.aio(text="a"), Coroutine[Any, Any, Any])
    assert_type(list(map(shout, ["a"])), List[Any])
    add(x="one")  # error
    add(x=1, z=2)  # error
    add(y=2)  # error
    add(1, 2, 3)  # error
    add.forward(x=None)  # error
    add.override(retries="3")  # error
    add.override(short_name=3)  # error
    with_plugin(text=1)  # error
    fan_out(n=[1])  # error
    the_total: str = total_again(n=1)  # error
    total(n=1)  # error


def maps() -> None:
    for sum_ in map(add, [1, 2], [3, 4]):
        assert_type(sum_, int)
    for incremented in map(slow_add, [1, 2], concurrency=2):
        assert_type(incremented, int)
    assert_type(list(map(add.override(short_name="adding"), [1])), List[int])
    assert_type(list(map(functools.partial(add, y=2), [1])), List[int])
    assert_type(list(map(with_plugin, ["a"])), List[Dict[str, int]])
    with map(stats, [[1.0]]) as results:
        for result in results:
            assert_type(result.size, int)
    next(map(add, [1])).upper()  # error
    map(len, ["not a task"])  # error


async def async_calls() -> None:
    assert_type(await add.aio(x=1), int)
    assert_type(await slow_add(x=1), int)
    assert_type(await slow_add.aio(x=1), int)
    assert_type(await slow_add.override(retries=3)(x=1), int)
    assert_type(await slow_add.override(retries=3).aio(x=1), int)
    assert_type(await total(n=1), int)
    assert_type(await total.aio(n=1), int)
    assert_type(await stats.aio(values=[1.0]), Stats)
    assert_type(await asyncio.gather(slow_add(x=1), add.aio(x=1), total(n=1)), tuple[int, int, int])
    assert_type(await asyncio.create_task(slow_add(x=1)), int)
    async for incremented in map.aio(slow_add, [1, 2]):
        assert_type(incremented, int)
    async with map.aio(add, [1, 2]) as results:
        async for sum_ in results:
            assert_type(sum_, int)
    await slow_add.aio(x="one")  # error
    await add.aio(1, 2, 3)  # error
    text: str = await slow_add(x=1)  # error
    slow_add(x=1)  # error
