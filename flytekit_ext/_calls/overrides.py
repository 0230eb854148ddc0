"""Per-call overrides: a short name and the node overrides flytekit's ``Node.with_overrides`` accepts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Mapping, Optional

from flytekit_ext._core.naming import check_short_name

#: The keyword arguments of flytekit's ``Node.with_overrides`` a call may override (all but ``name``, which the
#: short name sets). ``task.override(...)`` takes each of them by name.
NODE_OVERRIDE_KEYS = (
    "node_name",
    "aliases",
    "requests",
    "limits",
    "timeout",
    "retries",
    "interruptible",
    "task_config",
    "container_image",
    "accelerator",
    "cache",
    "shared_memory",
    "pod_template",
    "resources",
)


@dataclass(frozen=True)
class CallOverrides:
    """What ``task.override(...)`` changes for one call; the task itself is left as it is."""

    short_name: Optional[str] = None
    #: The node overrides given, by ``Node.with_overrides`` keyword.
    node: Mapping[str, Any] = field(default_factory=dict)

    @staticmethod
    def given(task_name: str, short_name: Optional[str], node: Dict[str, Any]) -> CallOverrides:
        """The overrides of one ``override(...)``; a short name that is not a non-empty str names the task."""
        check_short_name(short_name, task_name, where="override(short_name=...)")
        unknown = sorted(set(node) - set(NODE_OVERRIDE_KEYS))
        if unknown:
            raise TypeError(
                f"override() of task '{task_name}' got unexpected keyword argument(s) {', '.join(map(repr, unknown))}; "
                f"accepted: short_name, {', '.join(NODE_OVERRIDE_KEYS)}"
            )
        return CallOverrides(short_name=short_name, node=dict(node))

    @property
    def retries(self) -> Optional[int]:
        """The retries override, if given."""
        return self.node.get("retries")

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
