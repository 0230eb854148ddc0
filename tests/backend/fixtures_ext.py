"""flytekit_ext tasks run on the admin double (module level, so pyflyte-execute finds them by name)."""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
import typing
from dataclasses import dataclass

import anyio
import pandas as pd
from flytekit import HashMethod
from flytekit.exceptions.eager import EagerException

import flytekit_ext
from flytekit_ext import eager, task


@task
def add_one(x: int) -> int:
    return x + 1


@task
async def slow_square(x: int, seconds: float) -> int:
    await asyncio.sleep(seconds)
    return x * x


@task
def sleep_for(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


@task
def fail_with(message: str) -> str:
    if message:
        raise ValueError(message)
    return message


@eager
async def sequential(x: int) -> int:
    a = await add_one.aio(x)
    b = add_one(x=a)
    return await slow_square(x=b, seconds=0.0)


@eager
async def gathered(n: int, seconds: float) -> typing.List[int]:
    return list(await asyncio.gather(*(slow_square(x=i, seconds=seconds) for i in range(n))))


@eager
async def mapped(n: int, concurrency: int, seconds: float) -> typing.List[int]:
    return [r async for r in flytekit_ext.map.aio(slow_square, range(n), [seconds] * n, concurrency=concurrency)]


@eager
async def forwards(x: int) -> int:
    return add_one.forward(x) + await slow_square.forward(x, 0.0)


@eager
async def named_children(x: int) -> int:
    a = add_one.override(short_name="first-step")(x)
    b = await add_one.override(short_name="second-step").aio(a)
    # A short name is a name to show, spaces and capitals included; the child execution's name is made from it.
    return add_one.override(short_name="Third Step (the last one)")(b)


@eager
async def catches_child_failure(message: str) -> str:
    try:
        fail_with(message=message)
    except EagerException as error:
        return f"caught: {error}"
    return "no failure"


@eager
async def waits_on_sleeper(seconds: float) -> float:
    return await sleep_for.aio(seconds)


@eager
async def fails_while_child_runs(seconds: float) -> float:
    # Start a long child, then fail without waiting for it: the eager task itself terminates the child.
    sleeper = asyncio.ensure_future(sleep_for.aio(seconds))
    await asyncio.sleep(3)
    if not sleeper.done():
        raise RuntimeError("eager parent gives up while its child still runs")
    return await sleeper


@eager
async def dies_while_child_runs(seconds: float) -> float:
    # Start a long child, then die at once, as a pod killed for memory does: only the failure node can clean up.
    sleeper = asyncio.ensure_future(sleep_for.aio(seconds))
    await asyncio.sleep(3)
    if not sleeper.done():
        os._exit(137)
    return await sleeper


@task
def apply_fn(x: int, fn: typing.Callable[[int], int]) -> int:
    return fn(x)


@eager
async def passes_callables(x: int) -> typing.List[int]:
    offset = 100
    return [apply_fn(x=x, fn=add_one), apply_fn(x=x, fn=lambda v: v + offset)]


@eager
async def task_group(n: int) -> typing.List[int]:
    results = [0] * n

    async def one(i: int) -> None:
        results[i] = await slow_square(x=i, seconds=0.0)

    async with anyio.create_task_group() as group:
        for i in range(n):
            group.start_soon(one, i)
    return results


@eager
async def cancels_launches(n: int, after: float) -> int:
    # Start n children, then cancel the calls while their launches are still in flight.
    calls = [asyncio.ensure_future(add_one.aio(i)) for i in range(n)]
    await asyncio.sleep(after)
    for call in calls:
        call.cancel()
    await asyncio.gather(*calls, return_exceptions=True)
    return n


@eager
async def fails_during_launches(n: int, after: float) -> int:
    # Start n children and fail while their launches are in flight, without waiting for them.
    calls = [asyncio.ensure_future(sleep_for.aio(60.0)) for _ in range(n)]
    await asyncio.sleep(after)
    if not any(call.done() for call in calls):
        raise RuntimeError("eager parent fails while its children are being launched")
    return n


@eager
async def waits_on_sleepers(n: int) -> typing.List[float]:
    return list(await asyncio.gather(*(sleep_for.aio(60.0) for _ in range(n))))


@eager
async def dies_during_launch(after: float) -> float:
    # Start a child and die at once while its launch is in flight: the admin creates it after the parent is gone.
    sleeper = asyncio.ensure_future(sleep_for.aio(60.0))
    await asyncio.sleep(after)
    if not sleeper.done():
        os._exit(137)
    return await sleeper


@eager
async def mapped_with_processes(n: int) -> typing.List[int]:
    # On a backend every item is a child execution already: processes= has nothing to do there.
    return [r async for r in flytekit_ext.map.aio(add_one, range(n), processes=2)]


@eager
async def forgets_to_await(x: int) -> int:
    return slow_square(x=x, seconds=0.0)  # a bug: the call is returned, not awaited


# --- names, retried parents, failures that point somewhere, scale ------------------------------------------


def attempt_number() -> int:
    return int(os.environ.get("FLYTE_ATTEMPT_NUMBER", "0"))


@dataclass(repr=False)
class Opaque:
    """Prints as ``<...Opaque object at 0x...>``: another repr for every object, in every process."""

    value: int


@task
def unwrap(box: Opaque) -> int:
    return box.value + 1


@eager(retries=1)
async def retried_with_an_opaque_input(x: int) -> int:
    result = await unwrap.aio(Opaque(x))
    if attempt_number() == 0:
        raise RuntimeError("the first attempt fails after its child succeeded")
    return result


def frames_printing_alike(rows: int) -> typing.Tuple[pd.DataFrame, pd.DataFrame]:
    """Two frames that differ in a middle row, which their (truncated) repr does not show."""
    first = pd.DataFrame({"v": [1.0] * rows})
    second = first.copy()
    second.loc[rows // 2, "v"] = 2.0
    assert repr(first) == repr(second)
    return first, second


@task
def frame_total(df: pd.DataFrame) -> float:
    return float(df["v"].sum())


@eager(retries=1)
async def retried_with_a_frame_printing_alike(rows: int) -> float:
    first, second = frames_printing_alike(rows)
    total = await frame_total.aio(first if attempt_number() == 0 else second)
    if attempt_number() == 0:
        raise RuntimeError("the first attempt fails after its child succeeded")
    return total


def hash_frame(df: pd.DataFrame) -> str:
    return hashlib.sha256(pd.util.hash_pandas_object(df).values.tobytes()).hexdigest()


@task
def hashed_frame_total(df: typing.Annotated[pd.DataFrame, HashMethod(hash_frame)]) -> float:
    return float(df["v"].sum())


@eager(retries=1)
async def retried_with_a_hashed_frame(rows: int) -> float:
    frame, _ = frames_printing_alike(rows)  # the same content each attempt, uploaded by each to a new place
    total = await hashed_frame_total.aio(frame)
    if attempt_number() == 0:
        raise RuntimeError("the first attempt fails after its child succeeded")
    return total


@eager(retries=1)
async def retried_after_its_child_was_aborted(seconds: float) -> float:
    child = asyncio.ensure_future(sleep_for.aio(seconds))
    if attempt_number() == 0:
        await asyncio.sleep(3)  # the child is launched; failing now terminates it
        raise RuntimeError("the first attempt fails while its child runs")
    return await child


@eager
async def launches_after(x: int, seconds: float) -> int:
    await asyncio.sleep(seconds)
    return await add_one.aio(x)


@eager
async def fails_through_its_child(message: str) -> str:
    return await fail_with.aio(message)


@task
async def square(x: int) -> int:
    return x * x  # on a simulating double the double computes it and this never runs


@eager
async def gathers_squares(n: int) -> int:
    return sum(await asyncio.gather(*(square(x=i) for i in range(n))))
