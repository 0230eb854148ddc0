"""``map`` over a ``functools.partial``: the inputs the partial binds are the same for every item."""

import functools
import typing

import flytekit_ext
from flytekit_ext import eager, task, workflow


@task
def resize(path: str, width: int, height: int = 0) -> str:
    return f"{path}@{width}x{height or width}"


@task
def label(batch: str, path: str) -> str:
    return f"{batch}/{path}"


@eager
async def thumbnails(paths: typing.List[str]) -> typing.List[str]:
    # Keywords bind inputs after the mapped one: each item is resize(path, width=64).
    small = functools.partial(resize, width=64)
    return [r async for r in flytekit_ext.map.aio(small, paths)]


@task
def labelled(paths: typing.List[str]) -> typing.List[str]:
    # Positional arguments bind the first inputs; the items feed the next one: label("batch-7", path).
    return list(flytekit_ext.map(functools.partial(label, "batch-7"), paths))


@workflow
def thumbnails_wf(paths: typing.List[str]) -> typing.List[str]:
    # In a workflow: flytekit's map_task of the partial, an ArrayNode with width fixed for every item.
    return flytekit_ext.map(functools.partial(resize, width=32, height=32), paths)
