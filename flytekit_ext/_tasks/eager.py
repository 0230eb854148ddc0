"""Eager tasks: async functions whose task calls run as they are made, locally or as backend executions."""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Coroutine, Iterable, List, TypeVar

from flytekit.configuration import SerializationSettings
from flytekit.core import python_function_task as flytekit_tasks
from flytekit.core.base_task import TaskMetadata, TaskResolverMixin
from flytekit.core.context_manager import ExecutionState
from flytekit.core.workflow import ImperativeWorkflow

from flytekit_ext._calls.overridden import P, R
from flytekit_ext._core.contexts import current_context
from flytekit_ext._core.loops import run_coroutine
from flytekit_ext._eager.bodies import BackendEagerBody, body_for
from flytekit_ext._tasks.async_function import AsyncPythonFunctionTask
from flytekit_ext._tasks.failure import EagerFailureHandlerTask
from flytekit_ext._tasks.function import ExecutionBehavior

T = TypeVar("T")


class EagerAsyncPythonFunctionTask(
    AsyncPythonFunctionTask[T, P, R],
    flytekit_tasks.EagerAsyncPythonFunctionTask[T],
):
    """An eager task: ``@flytekit_ext.eager``. Its body awaits other tasks, which run as they are called.

    Run locally, the children run in this process and ``asyncio.gather``-ed children run concurrently. On a
    Flyte backend each child becomes an execution launched by the eager controller; if the eager task
    fails, the failure node of :meth:`get_as_workflow` terminates the children still running.
    """

    def __init__(
        self,
        task_config: T,
        task_function: Callable[P, Coroutine[Any, Any, R]],
        task_type: str = "python-task",
        ignore_input_vars: List[str] | None = None,
        task_resolver: TaskResolverMixin | None = None,
        node_dependency_hints: Iterable[Any] | None = None,
        enable_deck: bool = True,
        short_name: str | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("execution_mode", None)
        given: TaskMetadata | None = kwargs.pop("metadata", None)
        # A copy: the caller's metadata object may be shared with other tasks.
        metadata = dataclasses.replace(given, is_eager=True) if given is not None else TaskMetadata(is_eager=True)
        super().__init__(
            task_config,
            task_function,
            task_type=task_type,
            ignore_input_vars=ignore_input_vars,
            execution_mode=ExecutionBehavior.EAGER,
            task_resolver=task_resolver,
            node_dependency_hints=node_dependency_hints,
            short_name=short_name,
            enable_deck=enable_deck,
            metadata=metadata,
            **kwargs,
        )

    def local_execution_mode(self) -> ExecutionState.Mode:
        return ExecutionState.Mode.EAGER_LOCAL_EXECUTION

    async def async_execute(self, *args: Any, **kwargs: Any) -> Any:
        """Run the body where the context says: locally, or on the backend with a controller."""
        if args:
            raise TypeError(
                f"async_execute of task '{self.name}' takes inputs by name only, got {len(args)} positional"
            )
        return await body_for(current_context()).run(self, kwargs)

    async def run_with_backend(self, **kwargs: Any) -> Any:
        """Run the body against a Flyte backend: every task it calls becomes an execution."""
        return await BackendEagerBody().run(self, kwargs)

    def run(self, remote: Any, ss: SerializationSettings, **kwargs: Any) -> Any:
        """Run the body here, launching its children on the backend ``remote`` points to (for local testing)."""
        ctx = current_context()
        if ctx.user_space_params is None or ctx.user_space_params.execution_id is None:
            raise RuntimeError(
                f"Eager task '{self.name}': run(remote, ...) needs a context with an execution id, as a pod has"
            )
        return run_coroutine(BackendEagerBody(remote=remote, settings=ss).run(self, kwargs))

    def get_as_workflow(self) -> ImperativeWorkflow:
        """The workflow an eager task registers as: its node, plus a failure node that cleans up children."""
        cleanup = EagerFailureHandlerTask(
            name=f"{self.name}-cleanup", container_image=self.container_image, inputs=self.python_interface.inputs
        )
        workflow = ImperativeWorkflow(name=self.name)
        inputs = {}
        for name, python_type in self.python_interface.inputs.items():
            workflow.add_workflow_input(name, python_type)
            inputs[name] = workflow.inputs[name]
        node = workflow.add_entity(self, **inputs)
        for name in self.python_interface.outputs:
            workflow.add_workflow_output(name, node.outputs[name])
        workflow.add_on_failure_handler(cleanup)
        return workflow
