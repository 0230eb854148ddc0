"""``@task``, ``@eager`` and ``@dynamic``: flytekit's decorators, making flytekit_ext tasks.

They take every parameter flytekit's take, with the same meaning and the same errors, plus ``short_name``.
A ``task_config`` registered by a flytekit plugin selects that plugin's task class, made a flytekit_ext task
too (:mod:`flytekit_ext._tasks.plugin`). The task they return is typed by the function (its parameters and what it
returns), so a type checker checks calls; an ``async def`` becomes an ``AsyncPythonFunctionTask``, whose calls
are coroutines.
"""

from __future__ import annotations

import datetime
import inspect
import warnings
from functools import update_wrapper
from typing import Any, Callable, Coroutine, Dict, Iterable, List, Protocol, Tuple, Union, overload

from flytekit.core import python_function_task as flytekit_tasks
from flytekit.core.base_task import TaskMetadata, TaskResolverMixin
from flytekit.core.cache import Cache, VersionParameters
from flytekit.core.task import TaskPlugins, decorate_function
from flytekit.deck import DeckField

from flytekit_ext._calls.overridden import P, R
from flytekit_ext._tasks.async_function import AsyncPythonFunctionTask
from flytekit_ext._tasks.eager import EagerAsyncPythonFunctionTask
from flytekit_ext._tasks.function import ExecutionBehavior, PythonFunctionTask
from flytekit_ext._tasks.plugin import plugin_task_class

DEFAULT_DECK_FIELDS: Tuple[DeckField, ...] = (
    DeckField.SOURCE_CODE,
    DeckField.DEPENDENCIES,
    DeckField.TIMELINE,
    DeckField.INPUT,
    DeckField.OUTPUT,
)
_LEGACY_CACHE_KEYS = ("cache_serialize", "cache_version", "cache_ignore_input_vars")


def _task_metadata(
    fn: Callable[..., Any],
    cache: Union[bool, Cache],
    retries: int,
    interruptible: bool | None,
    deprecated: str,
    timeout: Union[datetime.timedelta, int],
    container_image: Any,
    pod_template: Any,
    pod_template_name: str | None,
    legacy: Dict[str, Any],
) -> TaskMetadata:
    """Task metadata, accepting both a ``Cache`` and the older ``cache_*`` keyword arguments."""
    serialize, version, ignored = (legacy.get(key) for key in _LEGACY_CACHE_KEYS)
    if cache is True and version is None:
        cache = Cache(serialize=bool(serialize), ignored_inputs=tuple(ignored or ()))
    if isinstance(cache, Cache):
        if any(legacy.get(key) is not None for key in _LEGACY_CACHE_KEYS):
            raise ValueError(
                "cache_serialize, cache_version, and cache_ignore_input_vars are deprecated. Please use Cache object"
            )
        version = cache.get_version(
            VersionParameters(
                func=fn, container_image=container_image, pod_template=pod_template, pod_template_name=pod_template_name
            )
        )
        serialize, ignored, cache = cache.serialize, cache.get_ignored_inputs(), True
    return TaskMetadata(
        cache=bool(cache),
        cache_serialize=bool(serialize),
        cache_version=version or "",
        cache_ignore_input_vars=ignored if ignored is not None else (),
        retries=retries,
        interruptible=interruptible,
        deprecated=deprecated,
        timeout=timeout,
    )


def _task_class(task_config: Any, is_async: bool) -> type:
    plugin = TaskPlugins.find_pythontask_plugin(type(task_config))
    if plugin is flytekit_tasks.PythonFunctionTask or plugin is PythonFunctionTask:
        return AsyncPythonFunctionTask if is_async else PythonFunctionTask
    if is_async and not issubclass(plugin, flytekit_tasks.AsyncPythonFunctionTask):
        raise AssertionError(f"Task plugin {plugin} is not compatible with async functions")
    return plugin_task_class(plugin)


class TaskDecorator(Protocol):
    """What ``task(...)`` with parameters returns: a decorator typed like ``task`` itself.

    The decorators type the task config as ``object``: they do not track its type, and ``Any`` there would make
    mypy give up on the overloads of ``map`` (an argument whose type holds ``Any`` makes overloads ambiguous).
    """

    @overload
    def __call__(self, fn: Callable[P, Coroutine[Any, Any, R]], /) -> AsyncPythonFunctionTask[object, P, R]: ...

    @overload
    def __call__(self, fn: Callable[P, R], /) -> PythonFunctionTask[object, P, R]: ...


@overload
def task(
    _task_function: Callable[P, Coroutine[Any, Any, R]], **kwargs: Any
) -> AsyncPythonFunctionTask[object, P, R]: ...


@overload
def task(_task_function: Callable[P, R], **kwargs: Any) -> PythonFunctionTask[object, P, R]: ...


@overload
def task(_task_function: None = ..., **kwargs: Any) -> TaskDecorator: ...


def task(
    _task_function: Callable[..., Any] | None = None,
    task_config: Any | None = None,
    cache: Union[bool, Cache] = False,
    retries: int = 0,
    interruptible: bool | None = None,
    deprecated: str = "",
    timeout: Union[datetime.timedelta, int] = 0,
    container_image: Any | None = None,
    environment: Dict[str, str] | None = None,
    requests: Any | None = None,
    limits: Any | None = None,
    secret_requests: List[Any] | None = None,
    execution_mode: ExecutionBehavior = ExecutionBehavior.DEFAULT,
    node_dependency_hints: Iterable[Any] | None = None,
    task_resolver: TaskResolverMixin | None = None,
    docs: Any | None = None,
    disable_deck: bool | None = None,
    enable_deck: bool | None = None,
    deck_fields: Tuple[DeckField, ...] | None = DEFAULT_DECK_FIELDS,
    pod_template: Any | None = None,
    pod_template_name: str | None = None,
    accelerator: Any | None = None,
    pickle_untyped: bool = False,
    shared_memory: Union[bool, str] | None = None,
    resources: Any | None = None,
    labels: Dict[str, str] | None = None,
    annotations: Dict[str, str] | None = None,
    short_name: str | None = None,
    **kwargs: Any,
) -> Union[PythonFunctionTask[Any, ..., Any], Callable[[Callable[..., Any]], PythonFunctionTask[Any, ..., Any]]]:
    """Make a task of a function, as ``flytekit.task`` does; ``async def`` functions become async tasks.

    ``short_name`` (default: the function's name) is what the UI shows for this task's nodes and
    executions. Every other parameter means what it means for ``flytekit.task``.
    """
    legacy = {key: kwargs.pop(key) for key in _LEGACY_CACHE_KEYS if key in kwargs}
    if kwargs:
        raise ValueError(f"Unrecognized argument(s) for task: {kwargs.keys()}")

    def wrapper(fn: Callable[..., Any]) -> PythonFunctionTask[Any, ..., Any]:
        metadata = _task_metadata(
            fn,
            cache,
            retries,
            interruptible,
            deprecated,
            timeout,
            container_image,
            pod_template,
            pod_template_name,
            legacy,
        )
        is_async = inspect.iscoroutinefunction(fn)
        body = fn if is_async else decorate_function(fn)
        instance = _task_class(task_config, is_async)(
            task_config,
            body,
            metadata=metadata,
            container_image=container_image,
            environment=environment,
            requests=requests,
            limits=limits,
            secret_requests=secret_requests,
            execution_mode=execution_mode,
            node_dependency_hints=node_dependency_hints,
            task_resolver=task_resolver,
            disable_deck=disable_deck,
            enable_deck=enable_deck,
            deck_fields=deck_fields,
            docs=docs,
            pod_template=pod_template,
            pod_template_name=pod_template_name,
            accelerator=accelerator,
            pickle_untyped=pickle_untyped,
            shared_memory=shared_memory,
            resources=resources,
            labels=labels,
            annotations=annotations,
            short_name=short_name,
        )
        update_wrapper(instance, body)
        return instance

    if _task_function is not None:
        return wrapper(_task_function)
    return wrapper


@overload
def dynamic(_task_function: Callable[P, R], **kwargs: Any) -> PythonFunctionTask[object, P, R]: ...


@overload
def dynamic(
    _task_function: None = ..., **kwargs: Any
) -> Callable[[Callable[P, R]], PythonFunctionTask[object, P, R]]: ...


def dynamic(_task_function: Callable[..., Any] | None = None, **kwargs: Any) -> Any:
    """A dynamic workflow, as ``flytekit.dynamic``: the function runs at execution time and builds a workflow."""
    return task(_task_function, execution_mode=ExecutionBehavior.DYNAMIC, **kwargs)


@overload
def eager(_fn: Callable[P, Coroutine[Any, Any, R]], **kwargs: Any) -> EagerAsyncPythonFunctionTask[object, P, R]: ...


@overload
def eager(
    _fn: None = ..., **kwargs: Any
) -> Callable[[Callable[P, Coroutine[Any, Any, R]]], EagerAsyncPythonFunctionTask[object, P, R]]: ...


def eager(
    _fn: Callable[..., Any] | None = None,
    **kwargs: Any,
) -> Union[
    EagerAsyncPythonFunctionTask[Any, ..., Any],
    Callable[[Callable[..., Any]], EagerAsyncPythonFunctionTask[Any, ..., Any]],
]:
    """An eager task, as ``flytekit.eager``: an ``async def`` whose task calls run as they are made.

    Takes ``short_name``, the task metadata parameters of :func:`task` (``cache``, ``retries``, ``timeout``,
    ...) and whatever else the task class accepts (``container_image``, ``environment``, ...). Decks are
    always enabled, as in flytekit.
    """

    def wrapper(fn: Callable[..., Any]) -> EagerAsyncPythonFunctionTask[Any, ..., Any]:
        if not inspect.iscoroutinefunction(fn):
            # flytekit accepts it here (and fails when it runs); say so now, fail clearly when it runs.
            warnings.warn(
                f"@eager needs an async function; '{getattr(fn, '__qualname__', fn)}' is not one and cannot run",
                stacklevel=2,
            )
        options = dict(kwargs)
        options.pop("enable_deck", None)
        if "metadata" not in options:
            legacy = {key: options.pop(key) for key in _LEGACY_CACHE_KEYS if key in options}
            options["metadata"] = _task_metadata(
                fn,
                options.pop("cache", False),
                options.pop("retries", 0),
                options.pop("interruptible", None),
                options.pop("deprecated", ""),
                options.pop("timeout", 0),
                options.get("container_image"),
                options.get("pod_template"),
                options.get("pod_template_name"),
                legacy,
            )
        instance = EagerAsyncPythonFunctionTask(task_config=None, task_function=fn, enable_deck=True, **options)
        update_wrapper(instance, fn)
        return instance

    if _fn is not None:
        return wrapper(_fn)
    return wrapper
