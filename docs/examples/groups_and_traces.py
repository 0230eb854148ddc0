"""Groups name the calls made in a block; traces record (and on a retried eager task, reuse) helper calls."""

import asyncio
import typing

import flytekit_ext
from flytekit_ext import eager, group, task, trace


@task
async def embed(text: str) -> int:
    await asyncio.sleep(0.01)
    return len(text)


@trace
async def ask_model(prompt: str) -> str:
    # A costly call: inside an eager task it is recorded, and a retried attempt reuses its answer.
    await asyncio.sleep(0.01)
    return prompt.upper()


@eager(retries=1)
async def summarize(docs: typing.List[str]) -> typing.List[str]:
    async with group("embed"):  # a `with` works too
        sizes = await asyncio.gather(*(embed(text=d) for d in docs))
    with group("embed-again"):
        again = [s async for s in flytekit_ext.map.aio(embed, docs)]
    answer = await ask_model(f"{sum(sizes)} characters in {len(docs)} documents")
    return [answer, str(sizes == again)]
