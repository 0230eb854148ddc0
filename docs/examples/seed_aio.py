"""Flyte 2 "Calling Sync Tasks from Async Tasks", on flytekit_ext: ``.aio`` on every task."""

from flytekit_ext import eager, task


@task
def sync_task(x: int) -> str:
    """Legacy sync task"""
    return f"Processed {x}"


@eager
async def async_task(x: int) -> str:
    """New async task that calls the legacy sync task, on a worker thread."""
    result = await sync_task.aio(x)
    return result
