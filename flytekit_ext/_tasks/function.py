"""Tasks whose body is a Python function: ``@task`` and ``@dynamic``."""

from __future__ import annotations

from typing import Any, Callable, Dict, Generic, Iterable, List, TypeVar

from flytekit.core import python_function_task as flytekit_tasks
from flytekit.core.base_task import TaskResolverMixin
from flytekit.core.tracker import is_functools_wrapped_module_level, isnested, istestfunction
from typing_extensions import TypeAlias

from flytekit_ext._calls.overridden import Out, P, R
from flytekit_ext._flytekit_internals import building_task
from flytekit_ext._runtime.decks import add_function_decks
from flytekit_ext._tasks.base import TaskCalls
from flytekit_ext._tasks.image import with_flytekit_ext
from flytekit_ext.resolver import default_task_resolver

T = TypeVar("T")

ExecutionBehavior: TypeAlias = flytekit_tasks.PythonFunctionTask.ExecutionBehavior


def check_resolvable(task_function: Callable[..., Any], resolver: TaskResolverMixin) -> None:
    """The default resolver finds functions by module and name, so a nested function cannot be a task."""
    if resolver is not default_task_resolver:
        return
    if istestfunction(func=task_function) or is_functools_wrapped_module_level(task_function):
        return
    if isnested(func=task_function):
        raise ValueError(
            f"Task function '{task_function.__qualname__}' in module '{task_function.__module__}' is nested inside "
            f"another function, so pyflyte-execute could not import it by name. Define it at module level (test "
            f"modules named test_* may nest tasks), wrap custom decorators with functools.wraps, or pass a "
            f"task_resolver that can find it."
        )


class PythonFunctionTask(TaskCalls[P, R, Out], flytekit_tasks.PythonFunctionTask[T], Generic[T, P, R, Out]):
    """A task whose body is a Python function; what ``@flytekit_ext.task`` creates for a ``def``.

    A subclass of flytekit's ``PythonFunctionTask``, so workflows, ``map_task``, ``pyflyte`` and
    ``FlyteRemote`` accept it; calls are routed by :mod:`flytekit_ext._calls`. Generic over the task config
    ``T``, as flytekit's class is, then over the function's parameters ``P`` and what it returns ``R``
    (``Out``, the outputs, is ``R``; the async subclass sets it apart).
    """

    def __init__(
        self,
        task_config: T,
        task_function: Callable[P, R],
        task_type: str = "python-task",
        ignore_input_vars: List[str] | None = None,
        execution_mode: ExecutionBehavior = ExecutionBehavior.DEFAULT,
        task_resolver: TaskResolverMixin | None = None,
        node_dependency_hints: Iterable[Any] | None = None,
        pickle_untyped: bool = False,
        short_name: str | None = None,
        **kwargs: Any,
    ) -> None:
        if task_function is None:
            raise ValueError("TaskFunction is a required parameter for PythonFunctionTask")
        resolver = task_resolver or default_task_resolver
        check_resolvable(task_function, resolver)
        if "container_image" in kwargs:
            kwargs["container_image"] = with_flytekit_ext(kwargs["container_image"])
        with building_task():
            super().__init__(
                task_config=task_config,
                task_function=task_function,
                task_type=task_type,
                ignore_input_vars=ignore_input_vars,
                execution_mode=execution_mode,
                task_resolver=resolver,
                node_dependency_hints=node_dependency_hints,
                pickle_untyped=pickle_untyped,
                **kwargs,
            )
        self._init_calls(short_name, task_function.__name__, forward_to=task_function)

    def execute(self, **kwargs: Any) -> Any:
        """Run the body on native inputs: the function itself, or for ``@dynamic`` the workflow it builds."""
        if self.execution_mode is ExecutionBehavior.DYNAMIC:
            return self.dynamic_execute(self.task_function, **kwargs)
        return self.task_function(**kwargs)

    def write_decks(self, inputs: Dict[str, Any], outputs: Dict[str, Any], ctx: Any, params: Any) -> None:
        if self.enable_deck:
            add_function_decks(self.task_function, self.deck_fields)
        super().write_decks(inputs, outputs, ctx, params)
