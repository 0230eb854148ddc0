"""Flyte 2 programs (written against flytekit_ext.flyte) that the facade's flyte.run launches on the admin double.

Module level, so pyflyte-execute finds them by name.
"""

import asyncio
import time
from typing import List, NamedTuple, Tuple

import flytekit_ext.flyte as flyte
import flytekit_ext.flyte.durable  # noqa: F401 (as a Flyte 2 program imports flyte.durable)
from flytekit_ext.flyte.io import File

env = flyte.TaskEnvironment(name="facade_backend", resources=flyte.Resources(cpu=1, memory="500Mi"))


@env.task
async def square(x: int) -> int:
    await asyncio.sleep(0.01)
    return x * x


@env.task
def double(x: int) -> int:
    return 2 * x


@env.task
async def main(n: int) -> List[int]:
    # A parent: each call is a child execution on the cluster.
    squares = await asyncio.gather(*(square(i) for i in range(n)))
    return [await double.aio(s) for s in squares]


@env.task
def count_lines(text: File) -> File:
    with text.open_sync("r") as handle:
        lines = handle.read().splitlines()
    made = File.new_remote(file_name="count.txt")
    with made.open_sync("w") as handle:
        handle.write(f"{len(lines)} lines, first: {lines[0]}")
    return made


class Summary(NamedTuple):
    label: str
    total: int


@env.task
def summarize(pair: tuple[str, int], extra: List[int]) -> Summary:
    return Summary(label=pair[0], total=pair[1] + sum(extra))


@env.task
def fails(x: int) -> int:
    raise ValueError(f"bad {x}")


@env.task
async def catches(x: int) -> str:
    try:
        await fails(x)
    except flyte.errors.RuntimeUserError as error:
        return f"{type(error).__name__} {error.code}: {error}"
    return "no error"


@env.task
async def team() -> str:
    return ",".join(f"{key}={value}" for key, value in sorted(flyte.get_custom_context().items()))


@env.task(retries=1)
async def waits_durably(seconds: float) -> Tuple[float, float]:
    # A parent (it calls double): its durable calls are traced, so a retried attempt gets the first one's values.
    started = await flyte.durable.time.aio()
    await double.aio(1)
    before = time.time()
    await flyte.durable.sleep.aio(seconds)
    if flyte.ctx().attempt_number == 0:
        raise ConnectionError("the first attempt fails after its durable sleep")
    return started, time.time() - before  # the sleep the second attempt made: what was left, nothing
