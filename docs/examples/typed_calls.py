"""Calls typed by the task's function: mypy and pyright check the inputs and know what each call returns."""

import asyncio
import functools
from typing import List

from flytekit_ext import eager, map, task


@task
def add(x: int, y: int = 1) -> int:
    return x + y


@task
async def slow_add(x: int) -> int:
    await asyncio.sleep(0)
    return x + 1


@eager
async def sums(n: int) -> List[int]:
    first: int = add(x=1)  # a sync task: the call is its output
    second: int = await slow_add(x=first)  # an async (or eager) task: the call is awaited
    third: int = await add.aio(x=second)  # .aio of any task: awaited
    again: int = await slow_add.override(short_name="again")(x=third)  # override(...) keeps the types
    rest: List[int] = [y async for y in map.aio(slow_add, range(n))]  # map.aio iterates the outputs
    return [first, second, third, again, *rest]


def with_ten(xs: List[int]) -> List[int]:
    return list(map(functools.partial(add, y=10), xs))  # map iterates the outputs, of a partial too


# Each of these is an error for mypy and pyright alike:
#   add(x="1")                  Argument "x" has incompatible type "str"; expected "int"
#   add(x=1, z=2)               Unexpected keyword argument "z"
#   text: str = add(x=1)        Incompatible types in assignment (expression has type "int", ...)
#   slow_add(x=1)               (in a def) Value of type "Coroutine[Any, Any, int]" must be used
