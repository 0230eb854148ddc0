"""Per-call overrides: a short name and the node overrides flytekit's ``with_overrides`` accepts.

Also the one answer to "what name does a call show?" (:func:`display_name`): in logs, progress, workflow
nodes and child executions alike.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any, Dict, Mapping

from flytekit.core.base_task import Task
from flytekit.core.node import Node


def check_short_name(short_name: Any, task_name: str, where: str = "short_name") -> None:
    """A short name given for a task (made, or overridden for a call) must be a non-empty str; errors name the task."""
    if short_name is None:
        return
    if not isinstance(short_name, str):
        raise TypeError(f"{where} of task '{task_name}' must be a str, got {short_name!r}")
    if not short_name.strip():
        raise ValueError(f"{where} of task '{task_name}' must not be empty")


def display_name(task: Task, short_name: str | None = None) -> str:
    """The name a call of ``task`` shows: the call's short name, else the task's, else its function name.

    Tasks that are not flytekit_ext's (a flytekit task called in an eager task) have no short name; they
    show the last part of their dotted name, as flytekit's UI does.
    """
    return short_name or getattr(task, "short_name", None) or task.name.rsplit(".", 1)[-1]


# Everything Node.with_overrides takes by name, except what a task call itself determines.
_NODE_OVERRIDE_KEYS = frozenset(
    name
    for name, parameter in inspect.signature(Node.with_overrides).parameters.items()
    if parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD and name not in ("self", "name")
)


@dataclass(frozen=True)
class CallOverrides:
    """What ``task.override(...)`` changes for one call; the task itself is left as it is."""

    short_name: str | None = None
    node: Mapping[str, Any] = field(default_factory=dict)

    @staticmethod
    def parse(task_name: str, options: Dict[str, Any]) -> CallOverrides:
        """Validate ``override`` keyword arguments: an unknown key is a ``TypeError`` naming it."""
        short_name = options.pop("short_name", None)
        check_short_name(short_name, task_name, where="override(short_name=...)")
        unknown = sorted(set(options) - _NODE_OVERRIDE_KEYS)
        if unknown:
            raise TypeError(
                f"override() of task '{task_name}' got unexpected keyword argument(s) {', '.join(map(repr, unknown))}; "
                f"accepted: short_name, {', '.join(sorted(_NODE_OVERRIDE_KEYS))}"
            )
        return CallOverrides(short_name=short_name, node=dict(options))

    def apply_to_node(self, outputs: Any) -> None:
        """Set these overrides on the workflow node behind ``outputs`` (a promise, or a tuple of them)."""
        if outputs is None or not (self.short_name or self.node):
            return
        options = dict(self.node)
        if self.short_name:
            options["name"] = self.short_name  # the node's metadata name: what the UI shows
        outputs.with_overrides(**options)

    def merged(self, other: CallOverrides) -> CallOverrides:
        """These overrides with ``other`` applied on top."""
        return CallOverrides(short_name=other.short_name or self.short_name, node={**self.node, **other.node})


NO_OVERRIDES = CallOverrides()
