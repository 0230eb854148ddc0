"""Tasks whose body is a Python function: ``@task`` and ``@dynamic``."""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, TypeVar

from flytekit.core import python_function_task as flytekit_tasks
from flytekit.core.base_task import TaskResolverMixin
from flytekit.core.tracker import is_functools_wrapped_module_level, isnested, istestfunction
from flytekit.exceptions.user import FlyteMissingReturnValueException
from typing_extensions import TypeAlias

from flytekit_ext._runtime.context import current_context, entered
from flytekit_ext._runtime.decks import add_function_decks
from flytekit_ext._runtime.values import replaced
from flytekit_ext.resolver import default_task_resolver
from flytekit_ext.tasks.base import TaskCalls

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


class PythonFunctionTask(TaskCalls, flytekit_tasks.PythonFunctionTask[T]):
    """A task whose body is a Python function; what ``@flytekit_ext.task`` creates for a ``def``.

    A subclass of flytekit's ``PythonFunctionTask``, so workflows, ``map_task``, ``pyflyte`` and
    ``FlyteRemote`` accept it; calls are routed by :mod:`flytekit_ext._calls`.
    """

    def __init__(
        self,
        task_config: T,
        task_function: Callable[..., Any],
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
        arguments: Dict[str, Any] = dict(
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
        try:
            super().__init__(**arguments)
        except FlyteMissingReturnValueException:
            # flytekit refuses a function annotated to return a value whose source never says "return": a task
            # written to fail (to exercise retries or error handling). Accept it; it raises when it runs, as
            # written. flytekit skips the check for tasks made while no execution state is set.
            with entered(replaced(current_context(), execution_state=None)):
                super().__init__(**arguments)
        self._init_calls(short_name, task_function.__name__, forward_to=task_function)

    def execute(self, **kwargs: Any) -> Any:
        """Run the body on native inputs: the function itself, or for ``@dynamic`` the workflow it builds."""
        if self._execution_mode is ExecutionBehavior.DYNAMIC:  # flytekit's execution_mode, without a frame
            return self.dynamic_execute(self._task_function, **kwargs)
        return self._task_function(**kwargs)

    def _start_body(self, inputs: Dict[str, Any]) -> Any:
        # A local call's body: the function, called at once, while nothing (a subclass, the task itself, @dynamic)
        # changes what ``execute`` runs; it then needs neither ``execute``'s frame nor a second unpacking.
        if (
            type(self).execute is _OWN_EXECUTE
            and self._execution_mode is not ExecutionBehavior.DYNAMIC
            and "execute" not in self.__dict__
        ):
            return self._task_function(**inputs)
        return self.execute(**inputs)

    def _write_decks(
        self, native_inputs: Dict[str, Any], native_outputs: Dict[str, Any], ctx: Any, params: Any
    ) -> None:
        if self.enable_deck:
            add_function_decks(self._task_function, self.deck_fields)
        super()._write_decks(native_inputs, native_outputs, ctx, params)


_OWN_EXECUTE = PythonFunctionTask.execute
