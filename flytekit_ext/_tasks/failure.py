"""The failure handler of an eager task on a backend: terminate the child executions it left running.

When an eager task fails or is killed, the on-failure node of its workflow runs this task. It cannot know
the eager task's Python types (it is loaded by :data:`eager_failure_task_resolver`, not from the user's
module), and it does not need them: it finds the children by their eager tag and terminates them.
"""

from __future__ import annotations

from typing import Any, Dict, List, Type, Union

from flytekit.configuration import SerializationSettings
from flytekit.core import python_function_task as flytekit_tasks
from flytekit.core.base_task import Task
from flytekit.core.context_manager import FlyteContext
from flytekit.image_spec.image_spec import ImageSpec
from flytekit.loggers import logger
from flytekit.models.literals import LiteralMap

from flytekit_ext._eager.cleanup import CleanupPolicy, terminate_children
from flytekit_ext._flytekit_internals import set_task_resolver


class EagerFailureTaskResolver(flytekit_tasks.EagerFailureTaskResolver):
    """Loads the failure handler in a pod; it needs no user module, so its loader args are fixed."""

    @property
    def location(self) -> str:
        return "flytekit_ext.eager_failure_task_resolver"

    def name(self) -> str:
        return "flytekit_ext.eager_failure_task_resolver"

    def task_name(self, t: Task) -> str | None:
        return None

    def load_task(self, loader_args: List[str]) -> Task:
        return EagerFailureHandlerTask(name="no_input_default_cleanup_task", inputs={})

    def loader_args(self, settings: SerializationSettings, t: Task) -> List[str]:
        return ["eager", "failure", "handler"]

    def get_all_tasks(self) -> List[Task]:
        return []


eager_failure_task_resolver = EagerFailureTaskResolver()


class EagerFailureHandlerTask(flytekit_tasks.EagerFailureHandlerTask):
    """Runs as the on-failure node of an eager task's workflow and terminates its running children."""

    def __init__(
        self,
        name: str,
        container_image: Union[str, ImageSpec] | None = None,
        inputs: Dict[str, Type[Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=name, container_image=container_image, inputs=inputs, **kwargs)
        set_task_resolver(self, eager_failure_task_resolver)

    def dispatch_execute(self, ctx: FlyteContext, input_literal_map: LiteralMap) -> LiteralMap:
        """Terminate the failed eager execution's children; echo the inputs back as outputs."""
        from flytekit.configuration.plugin import get_plugin  # brings in FlyteRemote: only when a backend run needs it

        params = ctx.user_space_params
        if params is None or params.execution_id is None:
            raise RuntimeError(f"Task '{self.name}' runs only on a backend, inside an eager execution")
        execution = params.execution_id
        logger.warning(
            f"Cleaning up child executions of eager execution {execution.project}/{execution.domain}/{execution.name}"
        )
        remote = get_plugin().get_remote(config=None, project=execution.project, domain=execution.domain)
        policy = CleanupPolicy.from_environment()
        report = terminate_children(remote.client, execution.project, execution.domain, execution.name, policy)
        if report.gave_up:
            raise RuntimeError(
                f"Could not terminate the child executions of {execution.name} within "
                f"{policy.deadline_s:.0f}s: {report.last_error}"
            )
        return input_literal_map

    def execute(self, **kwargs: Any) -> Any:
        raise RuntimeError(f"Task '{self.name}' only cleans up after eager executions; it has no body to execute")
