"""``map`` in a workflow body: flytekit's ``map_task`` ArrayNode, named by the short name."""

from __future__ import annotations

from typing import Any, Iterable, Optional

from flytekit.core.array_node_map_task import ArrayNodeMapTask
from flytekit.models.core.workflow import NodeMetadata

from flytekit_ext._calls.overrides import CallOverrides, display_name


class _ShortNamedArrayNode(ArrayNodeMapTask):
    """flytekit's ArrayNode map task, showing the map's short name.

    Its state mode is the one ``flytekit.map_task`` gives the same task (see ``map_task_state``).
    """

    def __init__(self, task: Any, short_name: str, concurrency: Optional[int]) -> None:
        super().__init__(task, concurrency=concurrency)
        self._short_name = short_name

    def construct_node_metadata(self) -> NodeMetadata:
        return NodeMetadata(name=self._short_name)  # what the UI shows for the map as a whole


def array_node_call(target: Any, iterables: tuple[Iterable[Any], ...], concurrency: int) -> Any:
    """Add the ArrayNode mapping ``target`` (a task or an overridden task) over ``iterables``; its promise."""
    task: Any = getattr(target, "task", target)  # an overridden task maps its task...
    overrides: CallOverrides | None = getattr(target, "overrides", None)  # ...with its overrides
    names = list(task.python_interface.inputs)
    if len(iterables) != len(names):
        raise TypeError(
            f"map of {task.name} in a workflow: give one list per input ({', '.join(names)}), got {len(iterables)}"
        )
    short_name = display_name(task, overrides.short_name if overrides is not None else None)
    outputs = _ShortNamedArrayNode(task, short_name, concurrency or None)(**dict(zip(names, iterables)))
    if overrides is not None:
        # flytekit applies node overrides to the mapped items (the ArrayNode's sub-node), the name included.
        overrides.apply_to_node(outputs)
    return outputs
