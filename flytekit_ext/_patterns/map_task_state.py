"""The ArrayNode state mode of flytekit's ``map_task`` over flytekit_ext tasks: what flytekit gives its own.

flytekit serializes a map task's ArrayNode in ``MINIMAL_STATE`` (lighter on the cluster for large maps) only
when the mapped task's type is *exactly* flytekit's ``PythonFunctionTask`` or ``PythonInstanceTask`` (or a
``functools.partial`` of one); every subclass gets ``FULL_STATE``. flytekit_ext's two classes of those names are
subclasses that stand for flytekit's, so ``map_task(our_task)`` must get what ``map_task`` gives flytekit's.

Why a hook: flytekit makes the decision in ``ArrayNodeMapTask.__init__`` from ``type(task)``, which no member of
the mapped task can change, and keeps it in a private field that the public ``execution_mode`` property returns.
The translator reads that property. So :func:`install` replaces the property on flytekit's class (this is the
only flytekit class flytekit_ext changes) with one that answers for flytekit_ext's two plain classes and asks
flytekit's own property about everything else, leaving flytekit's answer for its own tasks, for plugins and for
subclasses (flytekit_ext's async, eager or plugin classes, a plugin author's subclass) unchanged. It refuses to
install, loudly, if flytekit's class no longer has the properties it relies on, rather than silently serialize
the heavier mode.
"""

from __future__ import annotations

from typing import Any

from flyteidl.core.workflow_pb2 import ArrayNode
from flytekit.core.array_node_map_task import ArrayNodeMapTask

from flytekit_ext.tasks.function import PythonFunctionTask
from flytekit_ext.tasks.instance import PythonInstanceTask

#: flytekit_ext's classes that stand for the two flytekit classes flytekit maps in MINIMAL_STATE.
STANDS_FOR_FLYTEKITS_PLAIN = (PythonFunctionTask, PythonInstanceTask)


class ExecutionModeOfFlytekitExtTasks(property):
    """``ArrayNodeMapTask.execution_mode``, answering for flytekit_ext's plain classes as flytekit does for its own."""

    def __init__(self, flytekits: property) -> None:
        self.flytekits = flytekits

        def execution_mode(map_task: Any) -> Any:
            # python_function_task is the mapped task, also when map_task was given a partial of it.
            if type(map_task.python_function_task) in STANDS_FOR_FLYTEKITS_PLAIN:
                return ArrayNode.MINIMAL_STATE
            return flytekits.fget(map_task)  # type: ignore[misc]

        super().__init__(execution_mode, doc=flytekits.__doc__)


def install(map_task_class: type = ArrayNodeMapTask) -> None:
    """Make ``map_task_class.execution_mode`` answer for flytekit_ext's tasks (idempotent)."""
    current = map_task_class.__dict__.get("execution_mode")
    if isinstance(current, ExecutionModeOfFlytekitExtTasks):
        return
    mapped = getattr(map_task_class, "python_function_task", None)
    if not isinstance(current, property) or current.fget is None or not isinstance(mapped, property):
        raise RuntimeError(
            f"flytekit_ext cannot make flytekit's map_task give its tasks the ArrayNode state flytekit gives its own: "
            f"{map_task_class.__module__}.{map_task_class.__qualname__} no longer has the 'execution_mode' and "
            f"'python_function_task' properties it relies on. This flytekit release is not supported by this "
            f"flytekit_ext release."
        )
    map_task_class.execution_mode = ExecutionModeOfFlytekitExtTasks(current)  # type: ignore[attr-defined]
