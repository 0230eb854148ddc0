"""Flyte 2 "Passing Tasks and Functions as Arguments", on flytekit_ext (pickled with cloudpickle)."""

import typing

from flytekit_ext import eager, task


@task
async def add_one_udf(x: int) -> int:
    return x + 1


async def fn_add_two_udf(x: int) -> int:
    return x + 2


@eager
async def run_udf(x: int, udf: typing.Callable[[int], typing.Awaitable[int]]) -> int:
    return await udf(x)


@eager
async def main() -> typing.List[int]:
    result_one = await run_udf(5, add_one_udf)  # a task as an argument: it stays a task
    result_two = await run_udf(5, fn_add_two_udf)  # a plain async function as an argument
    return [result_one, result_two]
