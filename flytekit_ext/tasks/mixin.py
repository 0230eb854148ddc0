"""What every flytekit_ext task adds to its flytekit base class.

Calls go to :mod:`flytekit_ext.calls`, which decides what they mean; ``dispatch_execute`` and
``local_execute`` run on flytekit_ext's local path; and Flyte 2's call patterns (``forward``, ``aio``,
``override``, ``short_name``) are available on every task.
"""

from __future__ import annotations

import sys
from typing import Any, ClassVar, Coroutine, Dict, Union

from flytekit.core.base_task import PythonTask
from flytekit.core.context_manager import FlyteContext
from flytekit.models import literals as literal_models
from flytekit.models.core.workflow import NodeMetadata
from flytekit.models.dynamic_job import DynamicJobSpec

from flytekit_ext.calls import CallOverrides, call, call_async, in_workflow_body
from flytekit_ext.calls.arguments import bind
from flytekit_ext.calls.local import PromiseOutputs, promises_for
from flytekit_ext.local.call import run_local
from flytekit_ext.local.context import current_context
from flytekit_ext.local.dispatch import dispatch
from flytekit_ext.patterns.override import OverriddenTask
from flytekit_ext.resolver import default_task_resolver, load_task_by_reference


def forward_in_workflow_error(task_name: str) -> RuntimeError:
    return RuntimeError(
        f"{task_name}.forward() was called inside a @workflow; a workflow body is compiled, not run, "
        f"so there is nothing to forward to. Call the task itself to add a node."
    )


class TaskCalls:
    """Mixed in before a flytekit task class; the class it is mixed into supplies the task machinery."""

    #: Calls return an awaitable (async and eager tasks), except where the context needs the result at once.
    _awaitable_call: ClassVar[bool] = False
    _short_name: str
    name: str

    def _set_short_name(self, short_name: str | None, default: str) -> None:
        if short_name is not None and not isinstance(short_name, str):
            raise TypeError(f"short_name of task '{default}' must be a str, got {short_name!r}")
        self._short_name = short_name or default

    @property
    def short_name(self) -> str:
        """The name shown for this task's calls: workflow node names in the UI, child executions, local logs."""
        return self._short_name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return call(self, args, kwargs)

    def __reduce_ex__(self, protocol: Any) -> Any:
        # A task passed as a Callable input must come back as the same task, not a detached copy. Only a task
        # already importable under its module's name is pickled by reference; looking it up must not import
        # anything (a script run as __main__ would run a second time).
        if getattr(self, "task_resolver", None) is default_task_resolver:
            loader_args = default_task_resolver.loader_args(None, self)
            module = sys.modules.get(loader_args[1])
            if module is not None and getattr(module, loader_args[3], None) is self:
                return (load_task_by_reference, (loader_args,))
        return super().__reduce_ex__(protocol)

    def aio(self, *args: Any, **kwargs: Any) -> Coroutine[Any, Any, Any]:
        """Call the task from async code: locally a sync task runs on a worker thread, never on the loop."""
        return call_async(self, args, kwargs)

    def override(self, **options: Any) -> OverriddenTask:
        """The same task with ``short_name`` and node overrides (``retries``, ``timeout``, ...) for one call."""
        return OverriddenTask(self, CallOverrides.parse(self.name, options))

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """Run the task's body right here: no literals, no node, no execution, no deck.

        Here the body is ``execute`` (instance tasks); function tasks forward to their function.
        """
        if in_workflow_body(current_context()):
            raise forward_in_workflow_error(self.name)
        return self.execute(**bind(self, args, kwargs, check_required=False))  # type: ignore[attr-defined]

    def construct_node_metadata(self) -> NodeMetadata:
        """Node metadata named by the short name, so that is what the UI shows for the node."""
        metadata = self.metadata  # type: ignore[attr-defined]
        return NodeMetadata(
            name=self._short_name,
            timeout=metadata.timeout,
            retries=metadata.retry_strategy,
            interruptible=metadata.interruptible,
        )

    def dispatch_execute(
        self, ctx: FlyteContext, input_literal_map: literal_models.LiteralMap
    ) -> Union[literal_models.LiteralMap, DynamicJobSpec]:
        """Convert input literals to Python, run the task, convert its outputs to literals (also in a pod)."""
        return dispatch(self, ctx, input_literal_map)

    def local_execute(self, ctx: FlyteContext, **kwargs: Any) -> PromiseOutputs:
        """Run locally on native values or promises; outputs come back as promises holding literals."""
        outputs = run_local(self, ctx, kwargs)
        return promises_for(self, outputs)

    def _write_decks(
        self, native_inputs: Dict[str, Any], native_outputs: Dict[str, Any], ctx: Any, params: Any
    ) -> None:
        # The input and output decks; flytekit's function-task override would add a pip subprocess.
        PythonTask._write_decks(self, native_inputs, native_outputs, ctx, params)
