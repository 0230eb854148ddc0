"""``flytekit_ext.map``: a task over iterables, results in input order, items running concurrently."""

import asyncio
import typing

import flytekit_ext
from flytekit_ext import eager, task, workflow


@task
def invert(x: int) -> float:
    return 1 / x  # fails for 0


@task
async def fetch_page(page: int) -> str:
    await asyncio.sleep(0.05)
    return f"page {page}"


@task
def scale(x: int, factor: int) -> int:
    return x * factor


@task
def safe_inverses(xs: typing.List[int]) -> typing.List[float]:
    # Sync code: map returns an iterator. With return_exceptions=True (the default) a failed item yields
    # its exception in its place instead of stopping the map.
    results = flytekit_ext.map(invert, xs)
    return [r if not isinstance(r, Exception) else float("nan") for r in results]


@eager
async def first_pages(n: int) -> typing.List[str]:
    # Async code: map.aio is an async iterator. At most 8 pages are fetched at once, and the range is read
    # only as items are started, so memory stays bounded however long the input is.
    pages = []
    async for page in flytekit_ext.map.aio(fetch_page, range(n), concurrency=8, return_exceptions=False):
        pages.append(page)
    return pages


@eager
async def scaled(xs: typing.List[int]) -> typing.List[int]:
    # Several iterables are zipped, one per input, and the shortest one ends the map, like the builtin map.
    return [r async for r in flytekit_ext.map.aio(scale, xs, [10] * 3, return_exceptions=False)]


@workflow
def scaled_wf(xs: typing.List[int], factors: typing.List[int]) -> typing.List[int]:
    # In a workflow, map is flytekit's map_task: one ArrayNode over the lists (which must be the same length).
    return flytekit_ext.map(scale, xs, factors, concurrency=4)
