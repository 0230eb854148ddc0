"""Where flytekit_ext tasks behave differently from flytekit's (and better): each case is run by a test."""

import asyncio

from flytekit_ext import eager, task, workflow


@task
async def fetch(x: int) -> int:
    await asyncio.sleep(0)
    return x * 10


@eager
async def fetch_twice(x: int) -> int:
    return await fetch(x=x) + await fetch(x=x)


@workflow
def uses_async(x: int) -> int:
    # flytekit: fetch(x=x) would be an un-awaited coroutine here and the workflow would fail to compile.
    # flytekit_ext: a node, like any task; so is an eager task.
    return fetch_twice(x=fetch(x=x))


@task
def inner(x: int) -> int:
    return x + 1


@task
def outer(x: int) -> int:
    # flytekit: logs an error and returns a Promise. flytekit_ext: runs here and returns an int.
    return inner(x=x) * 2


@eager
async def forgets_to_await(x: int) -> int:
    # A bug: the call is returned, not awaited. asyncio.run(forgets_to_await(x=1)) raises
    #   TypeError: Eager task 'differences.forgets_to_await' returned a coroutine that it never awaited
    #   (coroutine 'differences.fetch(...)'); await it in the body (return await ...)
    return fetch(x=x)


@task
def needs_input(x: int) -> int:
    return x


# needs_input() raises, before the body runs:
#   TypeError: Task 'differences.needs_input' is missing required input(s): 'x' (int). Pass them: needs_input(x=...).


# flytekit refuses this task when it is decorated (FlyteMissingReturnValueException: its source has no return
# statement); flytekit_ext accepts it, and it raises when it runs, as written. Its ValueError is retried twice,
# locally and on a cluster, where flytekit's would not be retried at all (only FlyteRecoverableException is).
@task(retries=2)
def always_fails(x: int) -> int:
    raise ValueError(f"{x} is never accepted")
