"""Tasks without a function body (queries, scripts, ...): the base class for plugin authors."""

from __future__ import annotations

import inspect
from typing import Any, TypeVar

from flytekit.core import python_function_task as flytekit_tasks
from flytekit.core.base_task import TaskResolverMixin
from flytekit.core.interface import Interface

from flytekit_ext._core.naming import default_short_name
from flytekit_ext._flytekit_internals import building_task
from flytekit_ext._tasks.base import TaskCalls
from flytekit_ext._tasks.image import with_flytekit_ext
from flytekit_ext.resolver import default_task_resolver

T = TypeVar("T")


class PythonInstanceTask(TaskCalls[..., Any, Any], flytekit_tasks.PythonInstanceTask[T]):
    """Subclass it and define ``execute(self, **inputs)`` (plain or ``async def``) to make a task type.

    Assign each instance to a module-level variable: ``pyflyte-execute`` finds it again by module and
    variable name through :data:`flytekit_ext.resolver.default_task_resolver`. Instances get everything
    flytekit_ext tasks have: fast local runs, ``.forward``, ``.aio``, ``.override``, ``map``. Their inputs are
    declared at run time (an ``Interface``), so a type checker sees calls that take any inputs and return ``Any``.
    """

    def __init__(
        self,
        name: str,
        task_config: T,
        task_type: str = "python-task",
        task_resolver: TaskResolverMixin | None = None,
        short_name: str | None = None,
        interface: Interface | None = None,
        **kwargs: Any,
    ) -> None:
        if "container_image" in kwargs:
            kwargs["container_image"] = with_flytekit_ext(kwargs["container_image"])
        with building_task():
            super().__init__(
                name=name,
                task_config=task_config,
                task_type=task_type,
                task_resolver=task_resolver or default_task_resolver,
                interface=interface,
                **kwargs,
            )
        # A plugin whose execute is a coroutine function is called like an async task.
        self.is_async = inspect.iscoroutinefunction(self.execute)
        self._init_calls(short_name, default_short_name(name), forward_to=self._execute_bound)
