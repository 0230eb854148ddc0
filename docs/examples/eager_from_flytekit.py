"""An eager task as flytekit 1.x's eager tasks are written today, and as older flytekit code wrote it."""

import asyncio
import typing

from flytekit_ext import eager, task


@task
def add_one(x: int) -> int:
    return x + 1


@task
async def double(x: int) -> int:
    await asyncio.sleep(0)
    return x * 2


@eager
async def current_style(xs: typing.List[int]) -> typing.List[int]:
    # A sync task returns its value: no await (awaiting an int is a TypeError, in flytekit 1.16 as here).
    ones = [add_one(x=x) for x in xs]
    # An async task returns an awaitable: await it, alone or together with others.
    return list(await asyncio.gather(*(double(x=x) for x in ones)))


@eager
async def sync_calls_together(xs: typing.List[int]) -> typing.List[int]:
    # Older flytekit code awaited every call, sync ones too. Here `.aio` makes a sync task awaitable, and
    # sync calls awaited together run together (each on a worker thread).
    return list(await asyncio.gather(*(add_one.aio(x=x) for x in xs)))
