"""A Flyte 2 program run on the admin double with fast registration: its code reaches the pod in a bundle.

Not a module of the test package: the tests import it as ``fanout`` from this folder, which is also the root
the bundle is made from, so the pod can import it only from the bundle.
"""

import asyncio
from typing import List

import flytekit_ext.flyte as flyte

env = flyte.TaskEnvironment(name="fanout")


@env.task
async def square(x: int) -> int:
    await asyncio.sleep(0.01)
    return x * x


@env.task
async def main(n: int) -> List[int]:
    return list(await asyncio.gather(*(square(i) for i in range(n))))
