"""The function bodies both sides of the benchmark run.

This file is not imported as-is: ``bench.py`` executes it twice, as two modules, once with flytekit's
``task``/``eager``/``workflow`` and once with flytekit_ext's injected as globals before the code runs. Both
sides therefore get the very same source, as module-level functions in a module registered in
``sys.modules`` (which is what flytekit_ext's default resolver requires), and neither side's tasks or
caches are reachable from the other's.
"""

# ruff: noqa: F821 - task, eager and workflow are injected by bench.py before this module runs
import asyncio
import os
import typing

import pandas
from flytekit.types.file import FlyteFile

CHAIN_LENGTH = 50


@task
def add(x: int) -> int:
    return x + 1


@task
async def child(x: int) -> int:
    return x + 1


@workflow
def chain(x: int) -> int:
    for _ in range(CHAIN_LENGTH):
        x = add(x=x)
    return x


@eager
async def eager_sequential(n: int) -> int:
    total = 0
    for i in range(n):
        total += await child(x=i)
    return total


@eager
async def eager_gathered(n: int) -> typing.List[int]:
    return list(await asyncio.gather(*(child(x=i) for i in range(n))))


@task
def nap(x: int) -> int:
    import time

    time.sleep(0.2)
    return x


@task
def burn(n: int) -> int:
    # CPU-bound, pure Python: what worker processes help with and worker threads cannot.
    total = 0
    for i in range(n):
        total = (total + i * i) % 1_000_003
    return total


# --- data between tasks: a DataFrame pipeline and a large file passed along --------------------------------------

FRAME_ROWS = 2_000_000
FILE_BYTES = 300 * 1024 * 1024


@task
def frame_generate(n: int) -> pandas.DataFrame:
    import numpy

    return pandas.DataFrame({"a": numpy.random.default_rng(0).random(n), "b": numpy.arange(n)})


@task
def frame_scale(df: pandas.DataFrame) -> pandas.DataFrame:
    df["a"] = df["a"] * 2
    return df


@task
def frame_shift(df: pandas.DataFrame) -> pandas.DataFrame:
    df["b"] = df["b"] + 1
    return df


@task
def frame_total(df: pandas.DataFrame) -> float:
    return float(df["a"].sum() + df["b"].sum())


def frame_pipeline(n: int = FRAME_ROWS) -> float:
    """Generate, four transforms, a sum: five boundaries a DataFrame crosses."""
    df = frame_generate(n=n)
    df = frame_scale(df=df)
    df = frame_shift(df=df)
    df = frame_scale(df=df)
    df = frame_shift(df=df)
    return frame_total(df=df)


@task
def file_write(size: int) -> FlyteFile:
    import flytekit

    path = os.path.join(flytekit.current_context().working_directory, "data.bin")
    with open(path, "wb") as out:
        out.write(os.urandom(1024 * 1024) * (size // (1024 * 1024)))
    return FlyteFile(path)


@task
def file_pass(f: FlyteFile) -> FlyteFile:
    return f


@task
def file_checksum(f: FlyteFile) -> int:
    import zlib

    checksum = 0
    with open(f, "rb") as handle:
        while chunk := handle.read(8 * 1024 * 1024):
            checksum = zlib.crc32(chunk, checksum)
    return checksum


def file_pipeline(size: int = FILE_BYTES) -> int:
    """A file written once, passed through three tasks, read whole by the last."""
    f = file_write(size=size)
    for _ in range(3):
        f = file_pass(f=f)
    return file_checksum(f=f)


@eager
async def eager_children(n: int) -> int:
    total = 0
    for i in range(n):
        total += await child(x=i)
    return total
