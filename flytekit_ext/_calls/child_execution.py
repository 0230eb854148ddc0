"""Calls made by an eager task running on a Flyte backend become executions, launched by its controller."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, Protocol, runtime_checkable

from flytekit.core.base_task import Task
from flytekit.core.context_manager import FlyteContext

from flytekit_ext._calls.blocking import AwaitedCall, awaited_call, holding_the_loop
from flytekit_ext._calls.overrides import CallOverrides
from flytekit_ext._core import enclosing
from flytekit_ext._core.loops import run_coroutine
from flytekit_ext._runtime.task import RunnableTask


@runtime_checkable
class Controller(Protocol):
    """What the body of an eager task on a backend launches its calls with (``_eager.controller``).

    It sits in flytekit's context as the ``worker_queue``, where flytekit's own tasks called in the body
    find it too, through the ``add`` of flytekit's worker-queue interface.
    """

    async def submit(self, entity: Task, inputs: Dict[str, Any], short_name: str | None = None) -> Any:
        """Run ``entity`` on ``inputs`` as a child execution; its outputs as native values."""


class ChildExecutionRunner:
    checks_required = True

    def run(self, ctx: FlyteContext, task: RunnableTask, inputs: Dict[str, Any], overrides: CallOverrides) -> Any:
        with holding_the_loop(task):
            return run_coroutine(self.run_async(ctx, task, inputs, overrides))

    @awaited_call
    async def run_async(
        self, ctx: FlyteContext, task: RunnableTask, inputs: Dict[str, Any], overrides: CallOverrides
    ) -> Any:
        current = asyncio.current_task()
        enclosing.adopt_as_child(task.name, current)
        controller = ctx.worker_queue
        if controller is None:
            raise RuntimeError(
                f"Task '{task.name}' was called by an eager task running on a backend, "
                f"but no eager controller is set up in this context"
            )
        with AwaitedCall(current):
            if isinstance(controller, Controller):
                return await controller.submit(task, inputs, overrides.short_name)
            # flytekit's own controller: the eager parent is a flytekit task, not a flytekit_ext one.
            return await controller.add(task, input_kwargs=inputs)
