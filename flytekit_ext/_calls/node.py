"""Calls made while a workflow is being compiled become nodes of that workflow."""

from __future__ import annotations

from typing import Any, Dict

from flytekit.core.context_manager import FlyteContext
from flytekit.core.promise import create_and_link_node

from flytekit_ext._calls.overrides import CallOverrides
from flytekit_ext._runtime.task import RunnableTask


class NodeRunner:
    checks_required = False  # the node builder knows the defaults and raises flytekit's own error

    def run(self, ctx: FlyteContext, task: RunnableTask, inputs: Dict[str, Any], overrides: CallOverrides) -> Any:
        outputs = create_and_link_node(ctx, entity=task, **inputs)
        overrides.apply_to_node(outputs)
        return outputs

    async def run_async(
        self, ctx: FlyteContext, task: RunnableTask, inputs: Dict[str, Any], overrides: CallOverrides
    ) -> Any:
        raise TypeError(
            f"Task '{task.name}' was awaited inside a @workflow; a workflow body is compiled, not run. "
            f"Call it without await (or .aio) to add it as a node."
        )
