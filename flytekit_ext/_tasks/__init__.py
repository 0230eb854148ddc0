"""The class hierarchy: one module per family, each class a subclass of its flytekit namesake."""

from flytekit_ext._flytekit_internals import map_tasks_of_plain_classes_in_minimal_state
from flytekit_ext._tasks.async_function import AsyncPythonFunctionTask
from flytekit_ext._tasks.eager import EagerAsyncPythonFunctionTask
from flytekit_ext._tasks.failure import EagerFailureHandlerTask, EagerFailureTaskResolver, eager_failure_task_resolver
from flytekit_ext._tasks.function import PythonFunctionTask
from flytekit_ext._tasks.image import FlytekitImageWarning
from flytekit_ext._tasks.instance import PythonInstanceTask

#: flytekit_ext's classes that stand for the two flytekit classes flytekit's map_task maps in MINIMAL_STATE.
STANDS_FOR_FLYTEKITS_PLAIN = (PythonFunctionTask, PythonInstanceTask)
map_tasks_of_plain_classes_in_minimal_state(STANDS_FOR_FLYTEKITS_PLAIN)

__all__ = [
    "AsyncPythonFunctionTask",
    "EagerAsyncPythonFunctionTask",
    "EagerFailureHandlerTask",
    "EagerFailureTaskResolver",
    "FlytekitImageWarning",
    "PythonFunctionTask",
    "PythonInstanceTask",
    "STANDS_FOR_FLYTEKITS_PLAIN",
    "eager_failure_task_resolver",
]
