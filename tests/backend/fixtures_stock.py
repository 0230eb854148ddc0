"""Stock flytekit tasks and workflows that the admin double's own tests run in subprocesses.

They are module-level so that ``pyflyte-execute`` can import them by module and name.
"""

import asyncio
import os
import time

from flytekit import eager, task, workflow


@task
def add_one(x: int) -> int:
    return x + 1


@task
def double(x: int) -> int:
    return x * 2


@task
def fail_with(message: str) -> int:
    if message:
        raise ValueError(message)
    return 0


@task
def sleep_for(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


@task
def env_var(name: str) -> str:
    return os.environ.get(name, "<unset>")


@task
async def sleep_async(seconds: float) -> float:
    await asyncio.sleep(seconds)
    return seconds


@workflow
def add_then_double(x: int = 3) -> int:
    return double(x=add_one(x=x))


@workflow
def nested_workflow(x: int) -> int:
    return add_then_double(x=x)


@eager
async def eager_add_then_double(x: int) -> int:
    # Inside an eager task a plain task call blocks until its child execution is done.
    y = add_one(x=x)
    return double(x=y)


@eager
async def eager_abandons_sleeper(seconds: float) -> float:
    # Start a child without waiting for it, give the controller (2 s poll) time to launch it, then fail.
    child = asyncio.ensure_future(sleep_async(seconds=seconds))
    await asyncio.sleep(5)
    if not child.done():
        raise ValueError("eager parent gives up while its child still runs")
    return await child
