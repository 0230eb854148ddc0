"""``task.override(...)``: the same task, called with per-call overrides; and the type parameters of calls.

Every flytekit_ext task, and every task with overrides, is generic over its function's parameters ``P``, what
its function returns ``R``, and its outputs ``Out``, so a type checker sees ``add(x=1)`` as the ``int`` ``add``
returns, an async task's call as the coroutine its function returns, and ``.aio(...)`` of either as a coroutine
of the outputs. The parameters are for type checkers only: nothing reads them when a task is called.

``Out`` is a parameter of its own, not derived from ``R`` by overloads: flytekit has no type information, so a
type checker sees flytekit's classes as ``Any``, and a class derived from ``Any`` matches every overload.
"""

from __future__ import annotations

import datetime
from typing import Any, Coroutine, Dict, Generic, Optional, Union

from typing_extensions import ParamSpec, TypeVar

from flytekit_ext._calls.overrides import CallOverrides
from flytekit_ext._calls.route import call, call_async
from flytekit_ext._calls.runner import CallableTask
from flytekit_ext._core.naming import display_name

_UNSET: Any = object()

#: The parameters of a task's function (a class without one, an instance task, takes any arguments).
P = ParamSpec("P", default=...)
#: What a task's function returns, and so a call: the outputs of a sync task, the coroutine of an async one.
R = TypeVar("R", default=Any)
#: The task's outputs: what ``aio(...)`` gives when awaited. The same as ``R`` for a sync task.
Out = TypeVar("Out", default=R)


class Overridable(Generic[P, R, Out]):
    """``override(...)``, for tasks and for tasks already overridden."""

    __slots__ = ()
    name: str

    def _with_overrides(self, overrides: CallOverrides) -> OverriddenTask[P, R, Out]:
        raise NotImplementedError

    def override(
        self,
        *,
        short_name: Optional[str] = None,
        node_name: Optional[str] = None,
        aliases: Optional[Dict[str, str]] = None,
        requests: Any = None,
        limits: Any = None,
        timeout: Union[int, datetime.timedelta, None] = _UNSET,
        retries: Optional[int] = None,
        interruptible: Optional[bool] = None,
        task_config: Any = None,
        container_image: Optional[str] = None,
        accelerator: Any = None,
        cache: Any = None,
        shared_memory: Union[bool, str, None] = None,
        pod_template: Any = None,
        resources: Any = None,
    ) -> OverriddenTask[P, R, Out]:
        """The same task with ``short_name`` and node overrides for the calls made through the object returned.

        The node overrides are those of flytekit's ``Node.with_overrides``: in a workflow they apply to the node,
        in an eager task on a backend to the child execution, and locally ``retries`` applies to the call. An
        argument left out (``None``) is not overridden.
        """
        given = {
            "node_name": node_name,
            "aliases": aliases,
            "requests": requests,
            "limits": limits,
            "retries": retries,
            "interruptible": interruptible,
            "task_config": task_config,
            "container_image": container_image,
            "accelerator": accelerator,
            "cache": cache,
            "shared_memory": shared_memory,
            "pod_template": pod_template,
            "resources": resources,
        }
        node = {key: value for key, value in given.items() if value is not None}
        if timeout is not _UNSET:
            node["timeout"] = timeout
        return self._with_overrides(CallOverrides.given(self.name, short_name, node))


class OverriddenTask(Overridable[P, R, Out]):
    """A task with overrides that apply to the calls made through this object, and to nothing else.

    Typed as the task it overrides: calls, ``aio`` and ``forward`` take and return what the task's take and return.
    """

    __slots__ = ("task", "overrides")

    def __init__(self, task: CallableTask, overrides: CallOverrides) -> None:
        self.task = task
        self.overrides = overrides

    @property
    def name(self) -> str:  # type: ignore[override]
        return self.task.name

    @property
    def short_name(self) -> str:
        return display_name(self.task, self.overrides.short_name)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        return call(self.task, args, kwargs, self.overrides)

    def aio(self, *args: P.args, **kwargs: P.kwargs) -> Coroutine[Any, Any, Out]:
        return call_async(self.task, args, kwargs, self.overrides)

    def forward(self, *args: P.args, **kwargs: P.kwargs) -> R:
        return self.task.forward(*args, **kwargs)

    def _with_overrides(self, overrides: CallOverrides) -> OverriddenTask[P, R, Out]:
        return OverriddenTask(self.task, self.overrides.merged(overrides))

    def __repr__(self) -> str:
        return f"{self.task.name}.override(short_name={self.short_name!r}, {dict(self.overrides.node)!r})"
