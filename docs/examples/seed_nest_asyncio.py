"""Flyte 2 "Invoking Async Functions from Sync Tasks", on flytekit_ext.

``nest_asyncio`` is not needed with flytekit_ext (a sync task never runs on a running event loop), but code
that applies it keeps working.
"""

import asyncio

import nest_asyncio

from flytekit_ext import task

nest_asyncio.apply()


async def async_function() -> str:
    await asyncio.sleep(0.1)
    return "done"


@task
def sync_task() -> str:
    return asyncio.run(async_function())
