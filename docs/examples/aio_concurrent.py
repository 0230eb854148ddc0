"""``.aio`` turns blocking sync tasks into awaitables that run on worker threads, so they run together."""

import asyncio
import time
import typing

from flytekit_ext import eager, task


@task
def blocking_fetch(x: int) -> int:
    time.sleep(0.2)  # blocking I/O in legacy sync code
    return x


@task
def uses_asyncio_run(x: int) -> int:
    async def double_later() -> int:
        await asyncio.sleep(0)
        return 2 * x

    # Safe: through .aio this body runs on a worker thread, which has no running event loop.
    return asyncio.run(double_later())


@eager
async def fetch_all(n: int) -> typing.List[int]:
    # blocking_fetch(x=i) would block the event loop for 0.2 s per call; .aio runs each on a worker thread.
    fetched = await asyncio.gather(*(blocking_fetch.aio(i) for i in range(n)))
    doubled = await uses_asyncio_run.aio(n)
    return [*fetched, doubled]
