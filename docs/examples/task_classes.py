"""The decorators and the classes they create; every parameter of flytekit's decorators still works."""

import asyncio
import datetime
import typing

from flytekit import Cache, Resources, kwtypes
from flytekit.core.interface import Interface

from flytekit_ext import PythonInstanceTask, dynamic, eager, task


@task  # a def: PythonFunctionTask
def tokenize(text: str) -> typing.List[str]:
    return text.split()


@task(
    short_name="count",  # the one parameter flytekit_ext adds: the name the UI and logs show
    retries=3,
    timeout=datetime.timedelta(minutes=5),
    cache=Cache(version="1"),
    requests=Resources(cpu="1", mem="1Gi"),
)
async def count_words(text: str) -> int:  # an async def: AsyncPythonFunctionTask
    await asyncio.sleep(0)
    return len(text.split())


@dynamic  # a dynamic workflow: PythonFunctionTask in dynamic execution mode
def count_each(texts: typing.List[str]) -> typing.List[int]:
    return [count_words(text=t) for t in texts]


@eager(short_name="total", retries=1)  # EagerAsyncPythonFunctionTask
async def total_words(texts: typing.List[str]) -> int:
    counts = await asyncio.gather(*(count_words(text=t) for t in texts))
    return sum(counts)


class Shout(PythonInstanceTask[None]):
    """A task type without a function body: the base class for plugins. execute may also be async def."""

    def execute(self, **inputs: typing.Any) -> str:
        return inputs["text"].upper()


# Module level, so pyflyte-execute finds it again by module and variable name.
shout = Shout(
    name="shout",
    task_config=None,
    interface=Interface(inputs=kwtypes(text=str), outputs=kwtypes(o0=str)),
)
