"""What ``map`` maps: a task, a task with overrides, or a ``functools.partial`` of either.

:func:`map_target` normalizes any of them into a :class:`MapTarget` (the task, its overrides, and the inputs a
partial binds), checking at the ``map`` call that the partial fits the task. As in Flyte 2, each item calls the
task with the partial's positional arguments, then the item's values (one per iterable), then the partial's
keyword arguments; unlike Flyte 2, inputs left out must have defaults, and a mistake is reported before any item
runs, naming the task and the input.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Coroutine, Dict, List, Mapping, Tuple

from flytekit_ext._calls.overridden import OverriddenTask
from flytekit_ext._calls.overrides import NO_OVERRIDES, CallOverrides
from flytekit_ext._calls.route import call, call_async
from flytekit_ext._calls.runner import CallableTask
from flytekit_ext._core.naming import display_name
from flytekit_ext._tasks.base import TaskCalls


@dataclass(frozen=True)
class MapTarget:
    """A task to call once per item, with its overrides and the inputs bound for every item."""

    task: CallableTask
    overrides: CallOverrides = NO_OVERRIDES
    bound: Mapping[str, Any] = field(default_factory=dict)  # by input name, the same for every item
    mapped: Tuple[str, ...] = ()  # the inputs the iterables feed, in order

    @property
    def short_name(self) -> str:
        return display_name(self.task, self.overrides.short_name)

    def _inputs(self, values: Tuple[Any, ...]) -> Dict[str, Any]:
        by_name = dict(zip(self.mapped, values))
        return {**self.bound, **by_name} if self.bound else by_name

    def call(self, *values: Any) -> Any:
        """Call the task on one item's values, from synchronous code."""
        return call(self.task, (), self._inputs(values), self.overrides)

    def aio(self, *values: Any) -> Coroutine[Any, Any, Any]:
        """Call the task on one item's values, from async code."""
        return call_async(self.task, (), self._inputs(values), self.overrides)


def _unwrapped(target: Any) -> Tuple[CallableTask, CallOverrides]:
    if isinstance(target, OverriddenTask):
        return target.task, target.overrides
    if isinstance(target, TaskCalls):
        return target, NO_OVERRIDES
    raise TypeError(
        f"map: expected a flytekit_ext task, a task with .override(...), or a functools.partial of one, got {target!r}"
    )


def map_target(target: Any, iterables: int) -> MapTarget:
    """``target`` as a :class:`MapTarget` fed by ``iterables`` iterables; a ``TypeError`` if they do not fit."""
    partial = target if isinstance(target, functools.partial) else None
    task, overrides = _unwrapped(partial.func if partial is not None else target)
    names: List[str] = list(task.python_interface.inputs)
    if partial is None:
        if iterables > len(names):
            raise TypeError(
                f"map of task '{task.name}': {iterables} iterables, more than its inputs ({', '.join(names)})"
            )
        return MapTarget(task, overrides, {}, tuple(names[:iterables]))
    described = f"functools.partial of task '{task.name}' (inputs: {', '.join(names)})"
    unknown = [name for name in partial.keywords if name not in names]
    if unknown:
        raise TypeError(f"map: {described} binds {', '.join(map(repr, unknown))}, which the task has no input for")
    if len(partial.args) + iterables > len(names):
        raise TypeError(
            f"map: {described} binds {len(partial.args)} input(s) by position and is mapped over {iterables} "
            f"iterable(s), more than the task's {len(names)} input(s)"
        )
    bound: Dict[str, Any] = dict(zip(names, partial.args))
    mapped = tuple(names[len(partial.args) : len(partial.args) + iterables])
    for name in mapped:
        if name in partial.keywords:
            # Flyte 2's message: the mapped values go in by position, where this input is.
            raise TypeError(
                f"Parameter '{name}' is provided both as positional argument and keyword argument in partial "
                f"function {task.name}."
            )
    bound.update(partial.keywords)
    required = task.input_signature.required
    missing = [name for name in names if name in required and name not in bound and name not in mapped]
    if missing:
        raise TypeError(f"map: {described} leaves {', '.join(map(repr, missing))} unbound and not mapped")
    return MapTarget(task, overrides, bound, mapped)
