"""``flyte.durable``: ``time``, ``now`` and ``sleep`` that a retried parent replays instead of repeating.

Each is a ``flytekit_ext.trace``: in an eager task on a cluster, a retried attempt gets the value the first
attempt recorded, so ``sleep`` sleeps only what is left of the time asked for since it was first called.
Elsewhere they are the clock and a sleep. Like Flyte 2's, each is called as ``flyte.durable.time()`` or
awaited as ``await flyte.durable.time.aio()``.
"""

from __future__ import annotations

import asyncio
import time as _time
from datetime import datetime

import flytekit_ext
from flytekit_ext.flyte._syncify import syncify


@flytekit_ext.trace
async def _clock() -> float:
    return _time.time()


@flytekit_ext.trace
async def _now() -> datetime:
    return datetime.now()


@syncify
async def time() -> float:
    """The time, as ``time.time()``; a retried parent gets the value its first attempt got."""
    return await _clock()


@syncify
async def now() -> datetime:
    """The time, as ``datetime.now()``; a retried parent gets the value its first attempt got."""
    return await _now()


@syncify
async def sleep(seconds: float) -> None:
    """Sleep until ``seconds`` after this call was first made (by any attempt of a retried parent)."""
    started = await _clock()
    left = started + seconds - _time.time()
    if left > 0:
        await asyncio.sleep(left)


__all__ = ["now", "sleep", "time"]
