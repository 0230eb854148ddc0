"""An example pipeline: sync and async tasks, a workflow, and an eager task fanning out concurrently.

Run it with ``pyflyte run docs/examples/pipeline.py pipeline --n 10``.
"""

import asyncio
import typing

from flytekit_ext import eager, task, workflow


@task
def square(x: int) -> int:
    return x * x


@task
async def slow_increment(x: int) -> int:
    await asyncio.sleep(0.1)
    return x + 1


@task
def total(values: typing.List[int]) -> int:
    return sum(values)


@workflow
def square_then_increment(x: int) -> int:
    return slow_increment(x=square(x=x))


@eager
async def pipeline(n: int) -> int:
    """Square 0..n-1 and increment each, all at once, then add them up."""
    # A sync task with .aio runs on a worker thread, so the squares run together (on a backend: n child
    # executions at once, where direct calls would launch them one after another).
    squares = await asyncio.gather(*(square.aio(x=i) for i in range(n)))
    incremented = await asyncio.gather(*(slow_increment(x=s) for s in squares))
    # The last step, with nothing else running: a direct call holds nothing up.
    return total(values=list(incremented))
