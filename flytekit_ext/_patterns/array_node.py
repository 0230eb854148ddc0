"""``map`` in a workflow body: flytekit's ``map_task`` ArrayNode, named by the short name."""

from __future__ import annotations

import functools
from typing import Any, Iterable, Optional

from flytekit.core.array_node_map_task import ArrayNodeMapTask
from flytekit.models.core.workflow import NodeMetadata

from flytekit_ext._patterns.map_target import MapTarget


class _ShortNamedArrayNode(ArrayNodeMapTask):
    """flytekit's ArrayNode map task, showing the map's short name.

    Its state mode is the one ``flytekit.map_task`` gives the same task (see ``map_task_state``).
    """

    def __init__(self, task: Any, short_name: str, concurrency: Optional[int]) -> None:
        super().__init__(task, concurrency=concurrency)
        self._short_name = short_name

    def construct_node_metadata(self) -> NodeMetadata:
        return NodeMetadata(name=self._short_name)  # what the UI shows for the map as a whole


def array_node_call(target: MapTarget, iterables: tuple[Iterable[Any], ...], concurrency: int) -> Any:
    """Add the ArrayNode mapping ``target`` over ``iterables``; its promise.

    The inputs a partial binds are the same for every item: flytekit's ``map_task`` of a ``functools.partial``.
    """
    task: Any = target.task
    names = [name for name in task.python_interface.inputs if name not in target.bound]
    if list(target.mapped) != names:
        raise TypeError(
            f"map of {task.name} in a workflow: give one list per input ({', '.join(names)}), got {len(iterables)}"
        )
    mapped: Any = functools.partial(task, **target.bound) if target.bound else task
    short_name = target.short_name
    outputs = _ShortNamedArrayNode(mapped, short_name, concurrency or None)(**dict(zip(target.mapped, iterables)))
    if target.overrides.short_name or target.overrides.node:
        # flytekit applies node overrides to the mapped items (the ArrayNode's sub-node), the name included.
        target.overrides.apply_to_node(outputs)
    return outputs
