"""The runner protocol: what every way of carrying out a task call provides."""

from __future__ import annotations

from typing import Any, Dict, Protocol

from flytekit.core.context_manager import FlyteContext

from flytekit_ext._calls.arguments import InputSignature
from flytekit_ext._calls.overrides import CallOverrides
from flytekit_ext._runtime.task import RunnableTask


class Runner(Protocol):
    """Carries out task calls made in one kind of place (:class:`~flytekit_ext._core.where.Where`).

    ``checks_required``: the runner, not flytekit's node builder, reports missing inputs.
    """

    checks_required: bool

    def run(self, ctx: FlyteContext, task: RunnableTask, inputs: Dict[str, Any], overrides: CallOverrides) -> Any:
        """Carry out the call and return its result."""

    async def run_async(
        self, ctx: FlyteContext, task: RunnableTask, inputs: Dict[str, Any], overrides: CallOverrides
    ) -> Any:
        """Carry out the call without blocking the running event loop."""


class CallableTask(RunnableTask, Protocol):
    """A flytekit_ext task as calls see it: what running it needs, and how a call binds its inputs."""

    @property
    def input_signature(self) -> InputSignature: ...

    def forward(self, *args: Any, **kwargs: Any) -> Any: ...
