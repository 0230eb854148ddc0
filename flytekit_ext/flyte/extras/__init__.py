"""``flyte.extras``: Flyte 2's extra task types. ``Sleep`` (the backend's core-sleep plugin) is accepted, and its
tasks run their own body, as Flyte 2 runs them locally; the others (``ContainerTask``, ``shell``, the dynamic
batcher, ...) raise when used, naming flytekit's counterpart."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flytekit_ext.flyte._unavailable import unavailable_module_attribute

INSTEAD = "Use flytekit's ContainerTask (flytekit.ContainerTask) or a plugin of flytekit's for that task type."


@dataclass
class Sleep:
    """The plugin configuration of a core-sleep task; on Flyte 1 the task runs its body in a pod of its own."""


def __getattr__(name: str) -> Any:
    return unavailable_module_attribute(__name__, name, INSTEAD)


__all__ = ["Sleep"]
