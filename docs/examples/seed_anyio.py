"""Flyte 2 "Using AnyIO in Async Tasks", on flytekit_ext: task groups around task calls."""

import aioresult
import anyio

from flytekit_ext import eager, task


@task
async def process_item(x: int) -> int:
    return x * 2


@eager
async def batch_process(items: list[int]) -> list[int]:
    captured_results = []
    async with anyio.create_task_group() as tg:
        for item in items:
            captured_results.append(aioresult.ResultCapture.start_soon(tg, process_item, item))
    return [r.result() for r in captured_results]
