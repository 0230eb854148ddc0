"""Flyte 2 "Using with flyte.map.aio()", on flytekit_ext: ``flytekit_ext.map.aio``."""

from typing import List

import flytekit_ext
from flytekit_ext import eager, task


@task
def sync_process(x: int) -> str:
    """Synchronous processing task"""
    return f"Task {x}"


@eager
async def async_main(n: int) -> List[str]:
    """Async task that maps over a sync task; the items run concurrently."""
    results = []
    async for result in flytekit_ext.map.aio(sync_process, range(n)):
        if isinstance(result, Exception):
            raise result
        results.append(result)
    return results
