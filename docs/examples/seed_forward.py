"""Flyte 2 "Task Forwarding", on flytekit_ext: ``.forward()`` runs a task's body right here."""

from flytekit_ext import eager, task


@task
async def inner_task(x: int) -> int:
    return x + 1


@eager  # Flyte 2: @env.task on an async parent that calls tasks
async def outer_task(x: int) -> int:
    v = await inner_task.forward(x=10)  # same process: no literals, no node, no execution
    return await inner_task(v)  # a real task call: a child of the eager run


@task
def sync_inner_task(x: int) -> int:
    return x + 1


@task
def sync_outer_task(x: int) -> int:
    v = sync_inner_task.forward(x=10)
    return sync_inner_task(v)  # inside a task, a task call runs here and returns its value
