"""Tasks of each kind the facade makes, for the tests: Flyte 2 programs, written against flytekit_ext.flyte."""

import asyncio
import functools
from datetime import timedelta

import flytekit_ext.flyte as flyte

env = flyte.TaskEnvironment(name="kinds")


@env.task
def double(x: int) -> int:
    return x * 2


@env.task
async def slow_double(x: int) -> int:
    await asyncio.sleep(0.01)
    return x * 2


@env.task
async def leaf(x: int) -> int:
    # Calls no task: a plain async task.
    return len(str(asyncio.current_task())) * 0 + x


@env.task
async def awaits_a_task(x: int) -> int:
    return await slow_double(x)


@env.task
async def maps(n: int) -> list[int]:
    return [y async for y in flyte.map.aio(double, range(n))]


def helper(x: int) -> int:
    return double(x)


@env.task
async def through_a_helper(x: int) -> int:
    return helper(x)


@env.task
async def gathers(n: int) -> int:
    return sum(await asyncio.gather(*[later(i) for i in range(n)]))


@env.task
async def partial_of_a_task(n: int) -> list[int]:
    return list(flyte.map(functools.partial(add, y=1), range(n)))


@env.task
async def later(x: int) -> int:
    # Defined after its caller `gathers`: the caller is still a parent.
    return x + 100


@env.task
def add(x: int, y: int) -> int:
    return x + y


@flyte.trace
async def traced(x: int) -> int:
    return x + 1


@env.task
async def only_traces(x: int) -> int:
    # A trace is not a task: calling one does not make a parent.
    return await traced(x)


@env.task
def sync_parent(x: int) -> int:
    return double(x) + add(x, 1)


cached = env.clone_with(name="cached", cache="auto")


@cached.task(retries=flyte.RetryStrategy(count=3), timeout=timedelta(minutes=5), short_name="the-short-one")
def on_a_clone(x: int) -> int:
    return x
