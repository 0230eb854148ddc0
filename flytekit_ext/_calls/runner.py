"""The runner protocol: what every way of carrying out a task call provides."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Protocol

from flytekit.core.context_manager import FlyteContext

from flytekit_ext._calls.overrides import CallOverrides

if TYPE_CHECKING:
    from flytekit_ext.tasks.base import TaskCalls


class Runner(Protocol):
    """Carries out task calls made in one kind of context.

    ``in_workflow_body``: calls are made by a workflow body (compiled, or run locally with promises), which
    is synchronous Python, so every call completes at once, an async task's too, and there is no body of
    a task to ``forward`` to. ``runs_in_process``: calls run in this process, so the items of a ``map`` may
    run on worker threads or in worker processes here. ``checks_required``: the runner, not flytekit's node
    builder, reports missing inputs.
    """

    in_workflow_body: bool
    runs_in_process: bool
    checks_required: bool

    def run(self, ctx: FlyteContext, task: TaskCalls, inputs: Dict[str, Any], overrides: CallOverrides) -> Any:
        """Carry out the call and return its result."""

    async def run_async(
        self, ctx: FlyteContext, task: TaskCalls, inputs: Dict[str, Any], overrides: CallOverrides
    ) -> Any:
        """Carry out the call without blocking the running event loop."""
