"""Module-level tasks for the resolver tests (the resolver finds tasks by module and name)."""

from typing import Any

from flytekit_ext import PythonInstanceTask, eager, task


@task
def echo(x: int) -> int:
    return x


class Echo(PythonInstanceTask[None]):
    def execute(self, **kwargs: Any) -> Any:
        return kwargs["x"]


instance_echo = Echo(name="instance_echo", task_config=None)


@eager
async def eager_echo(x: int) -> int:
    return echo(x=x)
