"""Flyte 2 patterns in eager tasks on the admin double: typed errors, retries, groups, partials, traces.

Module level, so pyflyte-execute finds them by name. The same eager tasks run locally in the tests, so a test
can compare what a local run and a backend run give.
"""

from __future__ import annotations

import asyncio
import functools
import os
import typing
from pathlib import Path

import flytekit_ext
from flytekit_ext import eager, errors, group, task, trace


class RoomError(Exception):
    """Its name contains OOM, so a parent sees an OOMError (Flyte 2's rule)."""


def attempt_number() -> int:
    return int(os.environ.get("FLYTE_ATTEMPT_NUMBER", "0"))


@task
def raises(kind: str) -> int:
    if kind == "value":
        raise ValueError("bad 1")
    if kind == "room":
        raise RoomError("not memory at all")
    if kind == "custom":
        raise errors.RuntimeUserError("MyCode", "with a code of mine")
    if kind == "non-recoverable":
        raise errors.NonRecoverableError("stop now")
    return 0


@eager
async def catches(kinds: typing.List[str]) -> typing.List[str]:
    async def one(kind: str) -> str:
        try:
            await raises.aio(kind)
        except errors.BaseRuntimeError as error:
            return f"{type(error).__name__} kind={error.kind} code={error.code} message={error}"
        return "no error"

    return list(await asyncio.gather(*(one(kind) for kind in kinds)))


@task(retries=2)
def flaky(x: int) -> int:
    if attempt_number() < 2:
        raise ConnectionError(f"attempt {attempt_number()} fails")
    return x * 2


@task(retries=3)
def refuses(x: int) -> int:
    raise errors.NonRecoverableError(f"{x} is never valid")


@eager
async def retried_children(x: int) -> str:
    doubled = await flaky.aio(x)
    try:
        refuses(x=x)
    except errors.NonRecoverableError as error:
        return f"{doubled} / {error.code}: {error}"
    return f"{doubled}"


@task
def add_one(x: int) -> int:
    return x + 1


@eager
async def grouped(n: int) -> typing.List[int]:
    async with group("evens"):
        evens = list(await asyncio.gather(*(add_one.aio(i) for i in range(0, n, 2))))
    with group("odd numbers"):
        odds = [r async for r in flytekit_ext.map.aio(add_one, range(1, n, 2))]
    return evens + odds + [add_one(x=100)]


@task
def scale(x: int, factor: int, offset: int = 0) -> int:
    return x * factor + offset


@eager
async def mapped_partial(xs: typing.List[int]) -> typing.List[int]:
    return [r async for r in flytekit_ext.map.aio(functools.partial(scale, factor=3, offset=1), xs)]


@trace
async def expensive(x: int, log_dir: str) -> int:
    with open(Path(log_dir) / "expensive.log", "a") as log:
        log.write(f"{x}\n")
    return x * 7


@trace
def cheap(x: int) -> int:
    return x + 1


@eager(retries=1)
async def traced_fails_once(x: int, log_dir: str) -> int:
    a = await expensive(x, log_dir)
    b = await expensive(cheap(x), log_dir)
    if attempt_number() == 0:
        raise RuntimeError("the first attempt fails after its traced calls")
    return a + b
