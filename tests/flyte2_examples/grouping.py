# Ported from flyte-sdk examples/basics/grouping.py: calls gathered in named groups, groups chosen at run time,
# and a parent awaited inside a group.
import asyncio
from typing import List

from tests.flyte2_examples import flyte_shim as flyte

env = flyte.TaskEnvironment(name="hello_world")


@env.task
async def double(x: int) -> int:
    return x * 2


@env.task
async def root_wf(x: int) -> List[int]:
    print(x)
    with flyte.group("double-list-1"):
        o1 = await asyncio.gather(*(double(i) for i in range(x)))
    with flyte.group("double-list-2"):
        o2 = await asyncio.gather(*(double(i) for i in range(x)))
    return o1 + o2


@env.task
async def group_dynamic(x: int) -> List[int]:
    coros = {"even": [], "odd": []}
    for i in range(x):
        coros["even" if i % 2 == 0 else "odd"].append(double(i))
    with flyte.group("even-group"):
        o1 = await asyncio.gather(*coros["even"])
    with flyte.group("odd-group"):
        o2 = await asyncio.gather(*coros["odd"])
    with flyte.group("root_wf"):
        await root_wf(x=10)
    return o1 + o2


if __name__ == "__main__":
    flyte.init_from_config()
    run = flyte.run(group_dynamic, x=10)
    print(run.url)
    run.wait()
