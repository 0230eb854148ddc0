"""Task calls mix with asyncio and anyio: gather, timeouts, task groups, threads, anyio.run."""

import asyncio
import typing

import anyio

from flytekit_ext import eager, task


@task
async def score(x: int) -> int:
    await asyncio.sleep(0.05)
    return x * x


@task
def legacy_score(x: int) -> int:
    return x * x


@eager
async def scores_gathered(n: int) -> typing.List[int]:
    # asyncio.gather: calls awaited together run together, locally and as child executions on a backend.
    return list(await asyncio.gather(*(score(x=i) for i in range(n))))


@eager
async def scores_with_timeout(n: int, seconds: float) -> typing.List[int]:
    # anyio's cancel scopes work around task calls: past the deadline the calls are cancelled and
    # TimeoutError is raised.
    with anyio.fail_after(seconds):
        return list(await asyncio.gather(*(score(x=i) for i in range(n))))


@eager
async def scores_in_threads(x: int) -> typing.List[int]:
    # A sync task called from a thread returns its value there: to_thread works as with any function.
    a = await asyncio.to_thread(legacy_score, x)
    b = await anyio.to_thread.run_sync(legacy_score, x + 1)
    return [a, b]


def main() -> typing.List[int]:
    # anyio.run on its asyncio backend runs an eager task like asyncio.run does.
    return anyio.run(scores_gathered.aio, 4)
