"""flytekit_ext: Flyte 2's task ergonomics and fast, concurrent local runs for flytekit 1.x projects.

Import ``task``, ``eager`` and ``dynamic`` from here instead of from flytekit; workflows, launch plans,
``map_task``, ``pyflyte run/package/register`` and the Flyte 1 backend keep working.
"""

from flytekit import workflow

from flytekit_ext import errors
from flytekit_ext._patterns import map_task_state
from flytekit_ext._patterns.callables import register_callable_transformer
from flytekit_ext._patterns.group import group
from flytekit_ext._patterns.map import map
from flytekit_ext._patterns.trace import trace
from flytekit_ext._runtime.typed_errors import from_execution as error_of_execution
from flytekit_ext.decorators import dynamic, eager, task
from flytekit_ext.errors import typed_errors
from flytekit_ext.resolver import TaskResolver, default_task_resolver
from flytekit_ext.tasks import (
    AsyncPythonFunctionTask,
    EagerAsyncPythonFunctionTask,
    EagerFailureHandlerTask,
    EagerFailureTaskResolver,
    PythonFunctionTask,
    PythonInstanceTask,
    eager_failure_task_resolver,
)

__version__ = "0.1.0"

register_callable_transformer()
map_task_state.install()

__all__ = [
    "AsyncPythonFunctionTask",
    "EagerAsyncPythonFunctionTask",
    "EagerFailureHandlerTask",
    "EagerFailureTaskResolver",
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
