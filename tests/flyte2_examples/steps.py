"""Traced helpers of an async parent (with and without inputs and outputs), a traced sync helper, durable time."""

import asyncio
from typing import Optional

import flytekit_ext.flyte as flyte
import flytekit_ext.flyte.durable  # noqa: F401 (as a Flyte 2 program imports flyte.durable)

env = flyte.TaskEnvironment(name="steps")


@flyte.trace
async def fetch(page: int) -> str:
    print(f"fetching page {page}", flush=True)
    return f"page-{page}"


@flyte.trace
async def note(text: str):
    print(f"noted {text}", flush=True)


@flyte.trace
async def nothing_found() -> Optional[str]:
    return None


@flyte.trace
def cube(x: int) -> int:
    return x**3


@env.task
async def crawl(pages: int) -> list[str]:
    fetched = []
    for page in range(pages):
        fetched.append(await fetch(page))
        await note(fetched[-1])
    print(f"missing: {await nothing_found()}", flush=True)
    fetched.extend(await asyncio.gather(*(fetch(page) for page in range(pages, pages + 2))))
    started = await flyte.durable.time.aio()
    await flyte.durable.sleep.aio(0.05)
    print(f"slept: {await flyte.durable.time.aio() - started >= 0.05}", flush=True)
    return fetched


@env.task
def volume(sides: int) -> int:
    return sum(cube(side) for side in range(sides))


if __name__ == "__main__":
    flyte.init_from_config()
    print(flyte.run(crawl, pages=2).outputs()[0])
    print(flyte.run(volume, 4).outputs()[0])
