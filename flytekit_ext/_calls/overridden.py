"""``task.override(...)``: the same task, called with per-call overrides."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Coroutine

from flytekit_ext._calls.overrides import CallOverrides, display_name
from flytekit_ext._calls.route import call, call_async

if TYPE_CHECKING:
    from flytekit_ext.tasks.base import TaskCalls


class OverriddenTask:
    """A task with overrides that apply to the calls made through this object, and to nothing else."""

    __slots__ = ("task", "overrides")

    def __init__(self, task: TaskCalls, overrides: CallOverrides) -> None:
        self.task = task
        self.overrides = overrides

    @property
    def short_name(self) -> str:
        return display_name(self.task, self.overrides.short_name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return call(self.task, args, kwargs, self.overrides)

    def aio(self, *args: Any, **kwargs: Any) -> Coroutine[Any, Any, Any]:
        return call_async(self.task, args, kwargs, self.overrides)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        return self.task.forward(*args, **kwargs)

    def override(self, **options: Any) -> OverriddenTask:
        return OverriddenTask(self.task, self.overrides.merged(CallOverrides.parse(self.task.name, options)))

    def __repr__(self) -> str:
        return f"{self.task.name}.override(short_name={self.short_name!r}, {dict(self.overrides.node)!r})"
