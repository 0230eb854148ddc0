"""The function bodies both sides of the benchmark run.

This file is not imported as-is: ``bench.py`` executes it twice, as two modules, once with flytekit's
``task``/``eager``/``workflow`` and once with flytekit_ext's injected as globals before the code runs. Both
sides therefore get the very same source, as module-level functions in a module registered in
``sys.modules`` (which is what flytekit_ext's default resolver requires), and neither side's tasks or
caches are reachable from the other's.
"""

# ruff: noqa: F821 - task, eager and workflow are injected by bench.py before this module runs
import asyncio
import typing

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
