"""Calls made by an eager task running on a Flyte backend become executions, launched by its controller."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict

from flytekit.core.context_manager import FlyteContext

from flytekit_ext.calls.overrides import CallOverrides
from flytekit_ext.local.loops import run_coroutine

if TYPE_CHECKING:
    from flytekit.core.base_task import PythonTask


class EagerBackendRunner:
    completes_calls = False
    checks_required = True

    def run(self, ctx: FlyteContext, task: PythonTask, inputs: Dict[str, Any], overrides: CallOverrides) -> Any:
        return run_coroutine(self.run_async(ctx, task, inputs, overrides))

    async def run_async(
        self, ctx: FlyteContext, task: PythonTask, inputs: Dict[str, Any], overrides: CallOverrides
    ) -> Any:
        queue = ctx.worker_queue
        if queue is None:
            raise AssertionError(
                f"Task '{task.name}' was called by an eager task running on a backend, "
                f"but no eager controller is set up in this context"
            )
        submit = getattr(queue, "submit", None)
        if submit is None:  # flytekit's own worker queue
            return await queue.add(task, input_kwargs=inputs)
        return await submit(task, inputs, overrides.short_name)
