"""The task class hierarchy: one module per family, each class a subclass of its flytekit namesake."""

from flytekit_ext.tasks.async_function import AsyncPythonFunctionTask
from flytekit_ext.tasks.eager import EagerAsyncPythonFunctionTask
from flytekit_ext.tasks.failure import EagerFailureHandlerTask, EagerFailureTaskResolver, eager_failure_task_resolver
from flytekit_ext.tasks.function import PythonFunctionTask
from flytekit_ext.tasks.instance import PythonInstanceTask

__all__ = [
    "AsyncPythonFunctionTask",
    "EagerAsyncPythonFunctionTask",
    "EagerFailureHandlerTask",
    "EagerFailureTaskResolver",
    "PythonFunctionTask",
    "PythonInstanceTask",
    "eager_failure_task_resolver",
]
