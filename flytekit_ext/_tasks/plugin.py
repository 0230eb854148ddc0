"""flytekit plugins' task classes as flytekit_ext tasks: ``@task(task_config=Spark(...))`` and the like.

A flytekit plugin registers a subclass of flytekit's ``PythonFunctionTask`` for its config type with flytekit's
``TaskPlugins``. :func:`plugin_task_class` makes, once per plugin class, a class that is both the plugin's and
flytekit_ext's. The plugin's class comes first in its MRO, flytekit_ext's next, and the flytekit classes both
derive from after both:

* every member the plugin defines stays the plugin's: its serialization (``get_custom``, ``get_k8s_pod``, the
  task type, ...) and its local machinery (a Spark session made in ``pre_execute``, ``ray.init``, torch
  elastic's launcher in ``execute``, a ``local_execute`` that warns and hands over through ``super()``);
* every member flytekit_ext's ``PythonFunctionTask`` adds or replaces comes before flytekit's: the resolver,
  call routing, ``short_name``, ``.forward``, ``.aio``, ``.override``, and the local run and dispatch, which call
  the plugin's ``pre_execute``, ``execute`` and ``post_execute`` as flytekit's do.
"""

from __future__ import annotations

import threading
from typing import Dict, Type

from flytekit.core import python_function_task as flytekit_tasks

from flytekit_ext._tasks.async_function import AsyncPythonFunctionTask
from flytekit_ext._tasks.base import TaskCalls
from flytekit_ext._tasks.function import PythonFunctionTask

_made: Dict[type, type] = {}
_lock = threading.Lock()


def _make(plugin: Type[flytekit_tasks.PythonFunctionTask]) -> type:
    ours = AsyncPythonFunctionTask if issubclass(plugin, flytekit_tasks.AsyncPythonFunctionTask) else PythonFunctionTask
    namespace = {
        "__module__": __name__,
        "__qualname__": plugin.__qualname__,
        "__doc__": f"flytekit's plugin class {plugin.__module__}.{plugin.__qualname__}, as a flytekit_ext task.",
    }
    return type(plugin.__name__, (plugin, ours), namespace)


def plugin_task_class(plugin: Type[flytekit_tasks.PythonFunctionTask]) -> type:
    """The class that is both ``plugin`` (a flytekit plugin's task class) and a flytekit_ext task; made once.

    A class that already is a flytekit_ext task (a plugin built on flytekit_ext) is returned as it is.
    """
    if issubclass(plugin, TaskCalls):
        return plugin
    made = _made.get(plugin)
    if made is None:
        with _lock:
            made = _made.get(plugin)
            if made is None:
                made = _made[plugin] = _make(plugin)
    return made
