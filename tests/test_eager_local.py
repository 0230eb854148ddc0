"""Eager tasks run locally: children run in this process, concurrently when awaited together."""

import asyncio
import threading
import time
import typing

import flytekit
import pytest

from flytekit_ext import eager, errors, task


@task
async def nap(x: int) -> int:
    await asyncio.sleep(0.2)
    return x


@task
def plus_one(x: int) -> int:
    return x + 1


@task
def thread_name() -> str:
    return threading.current_thread().name


@task
def fails(x: int) -> int:
    if x > 0:
        raise ValueError(f"bad value {x}")
    return x


@eager
async def gathered(n: int) -> typing.List[int]:
    return list(await asyncio.gather(*(nap(x=i) for i in range(n))))


def test_gathered_async_children_run_concurrently():
    started = time.perf_counter()
    assert asyncio.run(gathered(n=10)) == list(range(10))
    assert time.perf_counter() - started < 0.5  # ten 0.2 s children, together


@eager
async def sequential(n: int) -> int:
    total = 0
    for i in range(n):
        total += await nap(x=i) + plus_one(x=i)
    return total


def test_sequential_children_and_sync_children_return_native_values():
    assert asyncio.run(sequential(n=3)) == (0 + 1 + 2) + (1 + 2 + 3)


@eager
async def sync_children_via_aio(n: int) -> typing.List[str]:
    return list(await asyncio.gather(*(thread_name.aio() for _ in range(n))))


def test_sync_children_called_with_aio_run_on_worker_threads():
    names = asyncio.run(sync_children_via_aio(n=3))
    assert all(name != threading.main_thread().name for name in names)


@eager
async def inner_eager(x: int) -> int:
    return plus_one(x=x) + await nap(x=x)


@eager
async def outer_eager(x: int) -> int:
    return await inner_eager(x=x) * 2


def test_nested_eager_tasks():
    assert asyncio.run(outer_eager(x=1)) == 6


@eager
async def propagates(x: int) -> int:
    return fails(x=x)


def test_child_failure_surfaces_as_a_typed_error_with_the_original_exception_as_its_cause():
    with pytest.raises(errors.RuntimeUserError, match="bad value 4") as raised:
        asyncio.run(propagates(x=4))
    assert raised.value.code == "ValueError"
    assert isinstance(raised.value.__cause__, ValueError)


@eager
async def reads_context(x: int) -> str:
    return flytekit.current_context().execution_id.name


def test_current_context_is_available_in_eager_body():
    assert asyncio.run(reads_context(x=1)) == "local"


@task
async def context_mode() -> str:
    return str(flytekit.FlyteContextManager.current_context().execution_state.mode)


@eager
async def concurrent_contexts(n: int) -> typing.List[str]:
    return list(await asyncio.gather(*(context_mode() for _ in range(n))))


def test_concurrent_children_each_see_their_own_task_context():
    modes = asyncio.run(concurrent_contexts(n=5))
    assert modes == ["Mode.LOCAL_TASK_EXECUTION"] * 5
    # and nothing leaked into the caller's context afterwards
    assert flytekit.FlyteContextManager.current_context().execution_state.mode is None


def test_eager_runs_from_synchronous_code_through_execute():
    assert gathered.execute(n=3) == [0, 1, 2]


@eager
async def forgets_to_await(x: int) -> int:
    return nap(x=x)  # a bug: the coroutine is returned, not awaited


@task
async def records(x: int) -> None:
    await asyncio.sleep(0)


@eager
async def forgets_to_await_nothing(x: int) -> None:
    return records(x=x)  # the same bug, in a task without outputs: nothing else would notice it


@pytest.mark.parametrize("eager_task", [forgets_to_await, forgets_to_await_nothing], ids=lambda t: t.short_name)
def test_an_eager_task_returning_an_unawaited_coroutine_is_an_error_naming_it(eager_task, recwarn):
    with pytest.raises(TypeError, match=f"Eager task '.*{eager_task.short_name}' returned a coroutine that it never"):
        asyncio.run(eager_task(x=1))
    assert not [w for w in recwarn if "never awaited" in str(w.message)]  # the coroutine was closed, not leaked
