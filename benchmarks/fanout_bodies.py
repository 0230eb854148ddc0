"""A fan-out program's bodies, run three ways by bench.py: as a Flyte 2 program under Flyte 2, the same program
on flytekit_ext.flyte, and the same bodies as plain flytekit_ext tasks.

Not imported as-is: the runner injects ``task`` (a task decorator), ``parent`` (the decorator of a task that
calls tasks) and ``fan_map`` (``map``) before the code runs: ``env.task``/``env.task``/``flyte.map`` for the
first two, ``flytekit_ext.task``/``flytekit_ext.eager``/``flytekit_ext.map`` for the third.
"""

# ruff: noqa: F821 - task, parent and fan_map are injected before this module runs
import asyncio
import time
from typing import List

NAP_S = 0.005


@task
def square(x: int) -> int:
    time.sleep(NAP_S)  # I/O-like work in a sync task (a request, a query)
    return x * x


@task
async def halve(x: int) -> float:
    await asyncio.sleep(NAP_S)
    return x / 2


@parent
async def fanout(n: int) -> float:
    squares: List[int] = [s async for s in fan_map.aio(square, range(n))]
    halves = await asyncio.gather(*(halve(s) for s in squares))
    return sum(halves)
