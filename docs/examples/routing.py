"""One task, called from each kind of place; one function (runner_for) decides what each call means."""

import asyncio

from flytekit_ext import eager, task, workflow


@task
def add_one(x: int) -> int:
    return x + 1


@task
async def slow_add_one(x: int) -> int:
    await asyncio.sleep(0.05)
    return x + 1


# Top level: add_one(x=1) runs here and returns 2 (the in-process runner).


@task
def add_two(x: int) -> int:
    # Inside a task: the calls run in this process and return ints (the in-process runner again).
    return add_one(x=add_one(x=x))


@workflow
def add_two_wf(x: int) -> int:
    # Compiled (the first time the workflow is used or serialized): each call becomes a node (the node
    # runner). Run locally, add_two_wf(x=1) runs the nodes, and calls return promises (the local-workflow runner).
    return slow_add_one(x=add_one(x=x))


@eager
async def add_many(n: int) -> int:
    # Run locally: calls run here and return native values; async calls awaited together run together.
    # On a Flyte backend the same calls are launched as child executions (the child-execution runner).
    first = add_one(x=0)
    rest = await asyncio.gather(*(slow_add_one(x=i) for i in range(n)))
    return first + sum(rest)
