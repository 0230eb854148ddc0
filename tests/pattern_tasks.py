"""Module-level tasks shared by the pattern tests (module level, so pyflyte-execute and pickling find them)."""

import asyncio
from typing import Any

from flytekit import kwtypes
from flytekit.core.interface import Interface

from flytekit_ext import PythonInstanceTask, task


@task
def double(x: int) -> int:
    return x * 2


@task
async def async_double(x: int) -> int:
    await asyncio.sleep(0.01)
    return x * 2


@task
def runs_asyncio_run(x: int) -> int:
    async def inner() -> int:
        await asyncio.sleep(0)
        return x + 1

    return asyncio.run(inner())


class Doubler(PythonInstanceTask[None]):
    def execute(self, **kwargs: Any) -> Any:
        return kwargs["x"] * 2


doubler = Doubler(
    name="doubler",
    task_config=None,
    interface=Interface(inputs=kwtypes(x=int), outputs=kwtypes(o0=int)),
)
