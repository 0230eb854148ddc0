"""``task.aio(...)``: any task awaited from async code; a sync body never blocks the loop."""

import asyncio
import threading
import time
import typing

import pytest

from flytekit_ext import task, workflow
from tests.pattern_tasks import async_double, double, runs_asyncio_run


def test_aio_of_a_sync_task_runs_on_a_worker_thread():
    @task
    def where() -> str:
        return threading.current_thread().name

    assert asyncio.run(where.aio()) != threading.main_thread().name


def test_aio_lets_a_sync_body_call_asyncio_run_without_nest_asyncio():
    async def main() -> int:
        return await runs_asyncio_run.aio(1)

    assert asyncio.run(main()) == 2


def test_aio_of_sync_tasks_does_not_block_the_loop():
    @task
    def sleepy(x: int) -> int:
        time.sleep(0.2)
        return x

    async def main() -> typing.List[int]:
        return list(await asyncio.gather(*(sleepy.aio(i) for i in range(8))))

    started = time.perf_counter()
    assert asyncio.run(main()) == list(range(8))
    assert time.perf_counter() - started < 0.6


def test_aio_of_async_task_equals_awaiting_the_call():
    async def main() -> typing.Tuple[int, int]:
        return await async_double.aio(2), await async_double(2)

    assert asyncio.run(main()) == (4, 4)


def test_aio_inside_a_plain_task():
    @task
    def outer(x: int) -> int:
        return asyncio.run(double.aio(x))

    assert outer(x=3) == 6


def test_aio_with_wrong_arguments_raises_the_plain_call_error():
    with pytest.raises(AssertionError, match="unexpected keyword argument 'y'"):
        asyncio.run(double.aio(y=1))


def test_aio_awaited_in_a_workflow_body_is_a_clear_error():
    @workflow
    def wf(x: int) -> int:
        coroutine = double.aio(x)
        asyncio.run(coroutine)
        return double(x=x)

    with pytest.raises(TypeError, match="awaited inside a @workflow"):
        wf.compile()
