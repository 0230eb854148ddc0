"""The tasks ``@env.task`` makes: flytekit_ext tasks, with Flyte 2's ``override``.

Which class a function becomes is decided once, when it is decorated (:func:`task_class`):

* a ``def``: :class:`FunctionTask` (flytekit_ext's ``PythonFunctionTask``). The tasks it calls run inside
  it, in its pod on a cluster, rather than as actions of their own;
* an ``async def`` whose body calls tasks (:func:`._parents.calls_tasks`): :class:`ParentTask`, an eager
  task (flytekit_ext's ``EagerAsyncPythonFunctionTask``), so each call is a child execution on a cluster;
* any other ``async def``: :class:`AsyncFunctionTask` (flytekit_ext's ``AsyncPythonFunctionTask``), which
  pays nothing for calls it does not make.

All three are flytekit tasks, so ``pyflyte run``, ``pyflyte package``/``register`` and ``FlyteRemote`` take
them, and flytekit_ext tasks, so ``.aio``, ``.forward``, ``.override``, ``short_name``, ``flyte.map`` and the
typed errors work as in Flyte 2.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, Dict, Optional, Type, TypeVar, Union, cast

import flytekit_ext
from flytekit_ext.flyte._context import task_context
from flytekit_ext.flyte._image import Image
from flytekit_ext.flyte._parents import calls_tasks
from flytekit_ext.flyte._settings import node_overrides
from flytekit_ext.flyte._values import TupleOutputs, allow_tuple_values, tuple_outputs, with_tuple_types

T = TypeVar("T")

allow_tuple_values()


class TaskTemplate:
    """What ``@env.task`` adds to a flytekit_ext task: Flyte 2's ``override`` and the environment it belongs to.

    Mixed in before a flytekit_ext task class, which supplies everything else.
    """

    parent_env_name: str = ""
    _flyte2_image: Union[str, Image, None] = "auto"
    _flyte2_name: Optional[str] = None

    @property
    def name(self) -> str:
        """Flyte 2's name for the task, ``<environment>.<function>``: what messages, logs and (registered on a
        cluster) the task's id say. The code is still found by its module and function name in a pod."""
        return self._flyte2_name or super().name  # type: ignore[misc]

    @name.setter
    def name(self, value: str) -> None:
        self._flyte2_name = value

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        called = super().__call__(*args, **kwargs)  # type: ignore[misc]
        if inspect.iscoroutine(called):
            # Named as under Flyte 2, where an async task's call is its function's coroutine: printed, it shows
            # `<coroutine object my_task ...>`, and Python's "never awaited" warning names `my_task`.
            function = cast(Any, self).__wrapped__
            called.__name__, called.__qualname__ = function.__name__, function.__qualname__
        return called

    @functools.cached_property
    def _tuple_outputs(self) -> TupleOutputs:
        return tuple_outputs(self.python_interface)  # type: ignore[attr-defined]

    def override(self, *, short_name: Optional[str] = None, **options: Any) -> Any:
        """The task with Flyte 2's overrides (``resources``, ``retries``, ``timeout``, ``cache``, ...) for the calls
        made through what it returns; the task itself is not changed."""
        function = getattr(self, "task_function", None)
        overrides: Dict[str, Any] = node_overrides(function, self._flyte2_image, **options)  # type: ignore[arg-type]
        if short_name is not None:
            overrides["short_name"] = short_name
        return super().override(**overrides)  # type: ignore[misc]


AsyncFunctionTaskTemplate = TaskTemplate


class FunctionTask(TaskTemplate, flytekit_ext.PythonFunctionTask[T]):
    """``@env.task`` on a ``def``."""

    def execute(self, **kwargs: Any) -> Any:
        with task_context(self.short_name):
            return self._tuple_outputs.boxed(super().execute(**kwargs))


class _AsyncBody(TaskTemplate):
    """An async body runs in its task context too (``execute`` of an async task awaits ``async_execute``)."""

    async def async_execute(self, *args: Any, **kwargs: Any) -> Any:
        with task_context(self.short_name):  # type: ignore[attr-defined]
            return self._tuple_outputs.boxed(await super().async_execute(*args, **kwargs))  # type: ignore[misc]


class AsyncFunctionTask(_AsyncBody, flytekit_ext.AsyncPythonFunctionTask[T]):
    """``@env.task`` on an ``async def`` that calls no tasks."""


class ParentTask(_AsyncBody, flytekit_ext.EagerAsyncPythonFunctionTask[T]):
    """``@env.task`` on an ``async def`` that calls tasks: an eager task, each call a child execution on a cluster."""


def task_class(function: Callable[..., Any]) -> Type[TaskTemplate]:
    """The class ``function`` becomes (see the module's description)."""
    if not inspect.iscoroutinefunction(function):
        return FunctionTask
    return ParentTask if calls_tasks(function) else AsyncFunctionTask


def make_task(
    function: Callable[..., Any],
    arguments: Dict[str, Any],
    short_name: Optional[str],
    environment_name: str,
    image: Union[str, Image, None],
    task_resolver: Any = None,
) -> TaskTemplate:
    """The task for ``function``, made with flytekit task-class ``arguments``."""
    cls = task_class(function)
    options: Dict[str, Any] = dict(arguments, short_name=short_name)
    if task_resolver is not None:
        options["task_resolver"] = task_resolver
    if cls is ParentTask:
        options.pop("enable_deck", None)  # an eager task always has decks
    made = cls(task_config=None, task_function=with_tuple_types(function), **options)  # type: ignore[call-arg]
    functools.update_wrapper(
        cast(Any, made), function
    )  # as flytekit_ext's decorators do: name, docs, module, __wrapped__
    made.parent_env_name = environment_name
    made._flyte2_name = f"{environment_name}.{function.__name__}"
    made._flyte2_image = image
    return made
