"""Nothing a map or an eager run starts outlives it: early exits and failures end what is in flight."""

import asyncio
import typing

import flytekit_ext
from flytekit_ext import eager, task


@task
async def fetch(page: int) -> str:
    await asyncio.sleep(0.01 * (page % 5))
    if page == 13:
        raise ValueError(f"page {page} is missing")
    return f"page {page}"


@eager
async def first_pages(n: int) -> typing.List[str]:
    found: typing.List[str] = []
    # Leaving the `async with` block ends the map: no further page is fetched, the ones in flight are
    # cancelled, and the block is left only once they have stopped.
    async with flytekit_ext.map.aio(fetch, range(1000), concurrency=8) as pages:
        async for page in pages:
            found.append(page)
            if len(found) == n:
                break
    return found


@eager
async def all_or_nothing(n: int) -> typing.List[str]:
    # gather raises the first failure; the eager task then cancels the sibling calls still running and
    # waits for them before it raises in turn, so nothing keeps fetching after it failed.
    return list(await asyncio.gather(*(fetch(page=i) for i in range(n))))


def first_results(n: int) -> typing.List[str]:
    # The synchronous map, closed by `with` in the same way.
    with flytekit_ext.map(fetch, range(1000), concurrency=8) as pages:
        return [page for _, page in zip(range(n), pages)]
