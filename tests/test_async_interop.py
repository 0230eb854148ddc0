"""asyncio and anyio around task calls: threads, task groups, ``anyio.run``."""

import asyncio
import typing

import anyio

from flytekit_ext import eager
from tests.pattern_tasks import async_double, double


@eager
async def via_threads(x: int) -> typing.List[int]:
    a = await asyncio.to_thread(double, x)
    b = await anyio.to_thread.run_sync(double, x + 1)
    return [a, b]


def test_tasks_called_through_to_thread_return_native_values():
    assert asyncio.run(via_threads(x=1)) == [2, 4]


@eager
async def with_task_group(n: int) -> typing.List[int]:
    results: typing.List[int] = [0] * n

    async def run(i: int) -> None:
        results[i] = await async_double(x=i)

    async with anyio.create_task_group() as tg:
        for i in range(n):
            tg.start_soon(run, i)
    return results


def test_anyio_task_group_around_task_calls():
    assert asyncio.run(with_task_group(n=5)) == [0, 2, 4, 6, 8]


def test_anyio_run_on_the_asyncio_backend():
    assert anyio.run(with_task_group.aio, 3) == [0, 2, 4]
