"""Finding a task again inside ``pyflyte-execute``: loader arguments to task, and task to loader arguments.

A task serializes to ``pyflyte-execute ... --resolver flytekit_ext.resolver.default_task_resolver --
task-module <module> task-name <name>``; in the pod, this resolver imports the module and takes the
attribute. Function tasks are found by their function's name, instance tasks by the variable they were
assigned to, which is why both must live at module level.
"""

from __future__ import annotations

import importlib
import sys
from importlib.machinery import PathFinder
from typing import Any, Callable, List, Optional, Tuple

from flytekit.configuration import SerializationSettings
from flytekit.core.base_task import Task, TaskResolverMixin
from flytekit.core.context_manager import FlyteEntities
from flytekit.core.tracker import extract_task_module
from flytekit.core.utils import timeit

_MODULE_KEY = "task-module"
_NAME_KEY = "task-name"


class TaskResolver(TaskResolverMixin):
    """Resolves flytekit_ext tasks defined at module level."""

    @property
    def location(self) -> str:
        return f"{__name__}.default_task_resolver"

    def name(self) -> str:
        return "flytekit_ext.TaskResolver"

    def task_name(self, t: Task) -> str | None:
        return None  # keep the name flytekit derives from the module and function

    def loader_args(self, settings: SerializationSettings, t: Any) -> List[str]:
        _, module, name, _ = extract_task_module(t)
        return [_MODULE_KEY, module, _NAME_KEY, name]

    @timeit("Load task")  # as flytekit's resolver: the first entry of a pod's Timeline deck
    def load_task(self, loader_args: List[str]) -> Any:
        return self.find_task(loader_args)

    def find_task(self, loader_args: List[str]) -> Any:
        """:meth:`load_task` without timing it: for unpickling a task reference, which is no task run's step."""
        if len(loader_args) < 4 or loader_args[0] != _MODULE_KEY or loader_args[2] != _NAME_KEY:
            raise ValueError(
                f"{self.name()} expects loader args '{_MODULE_KEY} <module> {_NAME_KEY} <name>', got {loader_args}"
            )
        module_name, task_name = loader_args[1], loader_args[3]
        module = importlib.import_module(module_name)
        found: Any = module
        for part in task_name.split("."):
            try:
                found = getattr(found, part)
            except AttributeError:
                raise AttributeError(
                    f"Module '{module_name}' has no task named '{task_name}' (the resolver was asked for it by "
                    f"loader args {loader_args}); tasks must be defined at module level"
                ) from None
        if not isinstance(found, Task):
            raise TypeError(f"'{module_name}.{task_name}' is a {type(found).__name__}, not a task")
        return found

    def get_all_tasks(self) -> List[Task]:
        """Every task created in this process that this resolver serves."""
        return [
            entity
            for entity in FlyteEntities.entities
            if isinstance(entity, Task) and getattr(entity, "task_resolver", None) is self
        ]


default_task_resolver = TaskResolver()


def load_task_by_reference(loader_args: List[str]) -> Any:
    """Unpickling target for tasks pickled as references to their module-level definition."""
    return default_task_resolver.find_task(loader_args)


def importable_by_name(module: str) -> bool:
    """Whether another process (a pod, a worker) can import ``module`` by its name from the same path.

    ``sys.modules`` does not count: a module there may have been loaded from a file under a name nothing
    else knows. Only the top-level package is looked for, without importing anything.
    """
    return module != "__main__" and PathFinder.find_spec(module.split(".")[0]) is not None


def reduce_task(task: Any) -> Optional[Tuple[Callable[[List[str]], Any], Tuple[List[str]]]]:
    """How to pickle ``task`` as a reference to its module-level definition; ``None`` if it cannot be.

    A task passed as a ``Callable`` input must come back as the same task, not a detached copy. Only a task
    already importable under its module's name qualifies; looking it up must not import anything (a script
    run as ``__main__`` would run a second time).
    """
    if getattr(task, "task_resolver", None) is not default_task_resolver:
        return None
    loader_args = default_task_resolver.loader_args(None, task)
    module = sys.modules.get(loader_args[1])
    if module is None or getattr(module, loader_args[3], None) is not task:
        return None
    if not importable_by_name(loader_args[1]):
        return None
    return (load_task_by_reference, (loader_args,))
