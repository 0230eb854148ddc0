"""Targets of ``map_task``, executed twice by ``tests/twins.py``: with flytekit's classes and with flytekit_ext's.

``task``, ``PythonFunctionTask`` and ``PythonInstanceTask`` are injected before this module runs.
"""

# ruff: noqa: F821 - task, PythonFunctionTask and PythonInstanceTask are injected by tests/twins.py
import asyncio
from typing import Any

from flytekit import kwtypes
from flytekit.core.interface import Interface

ADD = Interface(inputs=kwtypes(x=int, y=int), outputs=kwtypes(o0=int))


@task
def add(x: int, y: int) -> int:
    return x + y


@task
async def async_add(x: int, y: int) -> int:
    await asyncio.sleep(0)
    return x + y


class Adder(PythonInstanceTask):
    def execute(self, **kwargs: Any) -> Any:
        return kwargs["x"] + kwargs["y"]


# A direct instance of the plain instance-task class, and an instance of a subclass of it.
plain_adder = PythonInstanceTask(name="plain_adder", task_config=None, interface=ADD)
adder = Adder(name="adder", task_config=None, interface=ADD)


class AuthorsTask(PythonFunctionTask):
    """What a plugin author subclasses."""


def authors_add_body(x: int, y: int) -> int:
    return x + y


authors_add = AuthorsTask(task_config=None, task_function=authors_add_body)
