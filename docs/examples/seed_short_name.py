"""Flyte 2 "Custom Action Names", on flytekit_ext: ``short_name`` and ``.override(short_name=...)``."""

from flytekit_ext import eager, task


@task(short_name="my_task")
async def some_task() -> str:
    return "Hello, Flyte!"


@eager(short_name="entrypoint")
async def main() -> str:
    s = await some_task()  # shown as "my_task"
    return s + await some_task.override(short_name="my_name")()  # this call only: "my_name"
