"""Tasks whose body is an ``async def``."""

from __future__ import annotations

from typing import Any, Callable, Coroutine, Dict, Iterable, List, TypeVar

from flytekit.core import python_function_task as flytekit_tasks
from flytekit.core.base_task import TaskResolverMixin

from flytekit_ext._calls.overridden import P, R
from flytekit_ext._core.loops import run_coroutine
from flytekit_ext._tasks.function import ExecutionBehavior, PythonFunctionTask

T = TypeVar("T")


class AsyncPythonFunctionTask(
    PythonFunctionTask[T, P, Coroutine[Any, Any, R], R], flytekit_tasks.AsyncPythonFunctionTask[T]
):
    """A task whose body is a coroutine function; what ``@flytekit_ext.task`` creates for an ``async def``.

    Called in async code it returns an awaitable; called while a workflow is compiled or run it gives the
    node's promises like any task (flytekit would hand back an un-awaited coroutine there). Generic over the
    task config, the function's parameters and what its coroutine returns: ``AsyncPythonFunctionTask[T, P, R]``
    calls return ``Coroutine[Any, Any, R]``.
    """

    is_async = True

    def __init__(
        self,
        task_config: T,
        task_function: Callable[P, Coroutine[Any, Any, R]],
        task_type: str = "python-task",
        ignore_input_vars: List[str] | None = None,
        execution_mode: ExecutionBehavior = ExecutionBehavior.DEFAULT,
        task_resolver: TaskResolverMixin | None = None,
        node_dependency_hints: Iterable[Any] | None = None,
        pickle_untyped: bool = False,
        short_name: str | None = None,
        **kwargs: Any,
    ) -> None:
        if execution_mode is ExecutionBehavior.DYNAMIC:
            raise ValueError(
                f"Task function '{getattr(task_function, '__qualname__', task_function)}' is async: "
                f"dynamic tasks must be synchronous functions"
            )
        super().__init__(
            task_config,
            task_function,
            task_type=task_type,
            ignore_input_vars=ignore_input_vars,
            execution_mode=execution_mode,
            task_resolver=task_resolver,
            node_dependency_hints=node_dependency_hints,
            pickle_untyped=pickle_untyped,
            short_name=short_name,
            **kwargs,
        )

    async def async_execute(self, *args: Any, **kwargs: Any) -> Any:
        """Await the task function on native inputs (given by name)."""
        if args:
            raise TypeError(
                f"async_execute of task '{self.name}' takes inputs by name only, got {len(args)} positional"
            )
        return await self.task_function(**kwargs)

    def execute(self, **kwargs: Any) -> Any:
        """Run the body to completion and return its result (as flytekit's ``map_task`` needs)."""
        return run_coroutine(self.async_execute(**kwargs))

    def start_body(self, inputs: Dict[str, Any]) -> Any:
        return self.async_execute(**inputs)
