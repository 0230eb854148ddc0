"""``map`` in a workflow body: flytekit's ``map_task`` ArrayNode, named by the short name."""

from __future__ import annotations

import functools
from typing import Any, Iterable, Optional, Tuple

from flytekit.core.array_node_map_task import ArrayNodeMapTask
from flytekit.models.core.workflow import NodeMetadata

from flytekit_ext._core.contexts import current_context
from flytekit_ext._core.where import where
from flytekit_ext._patterns.map_target import MapTarget


class _ShortNamedArrayNode(ArrayNodeMapTask):
    """flytekit's ArrayNode map task, showing the map's short name.

    Its state mode is the one ``flytekit.map_task`` gives the same task (see ``map_task_state``).
    """

    def __init__(
        self, task: Any, short_name: str, concurrency: Optional[int], task_name: str, mapped: Tuple[str, ...]
    ) -> None:
        super().__init__(task, concurrency=concurrency)
        self._short_name = short_name
        self._task_name = task_name
        self._mapped = mapped

    def construct_node_metadata(self) -> NodeMetadata:
        return NodeMetadata(name=self._short_name)  # what the UI shows for the map as a whole

    def execute(self, **kwargs: Any) -> Any:
        """The whole map, run locally (a workflow run here); in a pod, the one item the pod runs."""
        if where(current_context()).local_run:
            self._check_lengths(kwargs)
        return super().execute(**kwargs)

    def _check_lengths(self, inputs: dict[str, Any]) -> None:
        """Lists of different lengths fail the node before any item runs, as a Flyte backend fails it ("input
        arrays have different lengths"). flytekit's local run counts the items of the first list: a shorter list
        after it fails with an IndexError once the items before have run, a longer one loses its tail."""
        lengths = {name: len(inputs[name]) for name in self._mapped if isinstance(inputs.get(name), list)}
        if len(set(lengths.values())) > 1:
            described = ", ".join(f"'{name}' has {length}" for name, length in lengths.items())
            raise ValueError(
                f"map of task '{self._task_name}' in a workflow: the lists it maps must have the same length, as a "
                f"Flyte backend requires, but {described} items. Pass lists of one length (outside a workflow, "
                f"map stops at the shortest iterable, as Python's zip does)."
            )


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
    array_node = _ShortNamedArrayNode(mapped, short_name, concurrency or None, task.name, target.mapped)
    outputs = array_node(**dict(zip(target.mapped, iterables)))
    if target.overrides.short_name or target.overrides.node:
        # flytekit applies node overrides to the mapped items (the ArrayNode's sub-node), the name included.
        target.overrides.apply_to_node(outputs)
    return outputs
