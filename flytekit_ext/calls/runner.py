"""The runner protocol: what every way of carrying out a task call provides."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Protocol

from flytekit.core.context_manager import FlyteContext

from flytekit_ext.calls.overrides import CallOverrides

if TYPE_CHECKING:
    from flytekit.core.base_task import PythonTask


class Runner(Protocol):
    """Carries out task calls in one kind of context.

    ``completes_calls``: a call must finish before it returns, even for an async task (a workflow body is
    synchronous Python). ``checks_required``: the runner, not flytekit's node builder, reports missing inputs.
    """

    completes_calls: bool
    checks_required: bool

    def run(self, ctx: FlyteContext, task: PythonTask, inputs: Dict[str, Any], overrides: CallOverrides) -> Any:
        """Carry out the call and return its result."""

    async def run_async(
        self, ctx: FlyteContext, task: PythonTask, inputs: Dict[str, Any], overrides: CallOverrides
    ) -> Any:
        """Carry out the call without blocking the running event loop."""
