"""flytekit_ext: Flyte 2's task ergonomics and fast, concurrent local runs for flytekit 1.x projects.

Import ``task``, ``eager`` and ``dynamic`` from here instead of from flytekit; workflows, launch plans,
``map_task``, ``pyflyte run/package/register`` and the Flyte 1 backend keep working.

Everything public is exported here (and the modules ``flytekit_ext.errors``, ``flytekit_ext.resolver`` and
``flytekit_ext.testing``); modules whose names start with an underscore are private.
"""

from flytekit import workflow

from flytekit_ext import errors
from flytekit_ext._calls.overridden import OverriddenTask
from flytekit_ext._decorators import dynamic, eager, task
from flytekit_ext._patterns.group import group
from flytekit_ext._patterns.map import map
from flytekit_ext._patterns.trace import trace
from flytekit_ext._runtime.typed_errors import from_execution as error_of_execution
from flytekit_ext._runtime.typed_errors import typed_errors
from flytekit_ext._tasks import (
    AsyncPythonFunctionTask,
    EagerAsyncPythonFunctionTask,
    EagerFailureHandlerTask,
    EagerFailureTaskResolver,
    FlytekitImageWarning,
    PythonFunctionTask,
    PythonInstanceTask,
    eager_failure_task_resolver,
)
from flytekit_ext.resolver import TaskResolver, default_task_resolver

__version__ = "0.1.0"

__all__ = [
    "AsyncPythonFunctionTask",
    "EagerAsyncPythonFunctionTask",
    "EagerFailureHandlerTask",
    "EagerFailureTaskResolver",
    "FlytekitImageWarning",
    "OverriddenTask",
    "PythonFunctionTask",
    "PythonInstanceTask",
    "TaskResolver",
    "default_task_resolver",
    "dynamic",
    "eager",
    "eager_failure_task_resolver",
    "error_of_execution",
    "errors",
    "group",
    "map",
    "task",
    "trace",
    "typed_errors",
    "workflow",
]
