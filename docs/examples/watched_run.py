"""A local eager run worth watching: groups of gathered calls, a map, a call that fails and is caught."""

import asyncio
import random
import time
import typing

import flytekit_ext
from flytekit_ext import eager, group, task


@task
async def fetch(page: int) -> int:
    await asyncio.sleep(0.5 + 0.8 * random.random())
    return page


@task
def parse(page: int) -> int:
    time.sleep(0.4)
    return page * 2


@task
def flaky(attempt: int) -> int:
    raise ConnectionError(f"source unavailable (attempt {attempt})")


@eager
async def crawl(pages: int) -> typing.List[int]:
    with group("fetch"):
        fetched = await asyncio.gather(*(fetch(page=p) for p in range(pages)))
    try:
        await flaky.aio(attempt=1)
    except flytekit_ext.errors.RuntimeUserError:
        pass  # a failed call is part of the picture too
    with group("parse"):
        parsed = [p async for p in flytekit_ext.map.aio(parse, fetched, concurrency=3)]
    return parsed


if __name__ == "__main__":
    print(asyncio.run(crawl(pages=8)))
