"""What every flytekit_ext task adds to its flytekit base class.

Calls go to :mod:`flytekit_ext._calls`, which decides what they mean; ``dispatch_execute`` and
``local_execute`` run on flytekit_ext's own path (:mod:`flytekit_ext._runtime`, :mod:`flytekit_ext._local`);
and Flyte 2's call patterns (``forward``, ``aio``, ``override``, ``short_name``) are on every task. Each member
here only hands over to the module that does the work.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any, Callable, Coroutine, Dict, Optional, Union

from flytekit.configuration import SerializationSettings
from flytekit.core.context_manager import FlyteContext, FlyteEntities
from flytekit.models import literals as literal_models
from flytekit.models.core.workflow import NodeMetadata
from flytekit.models.dynamic_job import DynamicJobSpec

from flytekit_ext._calls.arguments import InputSignature, bind
from flytekit_ext._calls.in_process import PromiseOutputs, promises_for
from flytekit_ext._calls.overridden import Out, Overridable, OverriddenTask, P, R
from flytekit_ext._calls.overrides import CallOverrides
from flytekit_ext._calls.route import call, call_async
from flytekit_ext._core.contexts import current_context
from flytekit_ext._core.naming import check_short_name
from flytekit_ext._core.where import where
from flytekit_ext._flytekit_internals import use_transformer_for_callables, write_io_decks
from flytekit_ext._local.run import run_local
from flytekit_ext._runtime.callable_transformer import CALLABLE_TRANSFORMER
from flytekit_ext._runtime.dispatch import dispatch
from flytekit_ext._runtime.failures import hooked_policy
from flytekit_ext._runtime.literals import TaskConverters
from flytekit_ext._tasks.image import warn_if_flytekit_image
from flytekit_ext.resolver import reduce_task

if TYPE_CHECKING:
    # Type-checked as the flytekit task class it is mixed into, which supplies everything else.
    from flytekit.core.python_auto_container import PythonAutoContainerTask as _TaskBase
else:
    _TaskBase = object

#: What a task keeps for itself and makes again where it is unpickled.
_DERIVED = ("converters", "input_signature")


class TaskCalls(Overridable[P, R, Out], _TaskBase):
    """Mixed in before a flytekit task class; the class it is mixed into supplies the task machinery.

    Generic over the function's parameters ``P``, what it returns ``R`` and the task's outputs ``Out`` (type
    checkers only), so a call is typed as the function: ``add(x=1)`` is the ``int`` ``add`` returns, an async
    task's call its coroutine, and ``aio(...)`` a coroutine of the outputs.

    ``is_async`` says whether the body is awaited: set by the class (async function tasks) or when the task
    is made (instance tasks), and asked by everything that must know: the router, the in-process runner,
    the dispatch drivers.
    """

    is_async: bool = False
    #: Whether the class's ``local_execute`` is not this mixin's: a plugin's that adds to a local run (a warning,
    #: a set-up) and hands over through ``super()``. Local calls then go through it. Decided once per class.
    wraps_local_execute: bool = False
    #: Whether the class's ``dispatch_execute`` is not this mixin's: a plugin's own, which a local run then calls.
    #: The call's retries and typed errors still apply when it hands over through ``super()``. Decided once per class.
    dispatches_itself: bool = False
    _short_name: str
    _forward_to: Callable[P, R]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.wraps_local_execute = cls.local_execute is not TaskCalls.local_execute
        cls.dispatches_itself = cls.dispatch_execute is not TaskCalls.dispatch_execute

    def _init_calls(self, short_name: Optional[str], default_short_name: str, forward_to: Callable[P, R]) -> None:
        """After flytekit's constructor: what calls need to know (the short name, what ``forward`` runs), and
        ``typing.Callable`` inputs and outputs converted by flytekit_ext's transformer."""
        check_short_name(short_name, self.name)
        self._short_name = short_name or default_short_name
        self._forward_to = forward_to
        use_transformer_for_callables(self, CALLABLE_TRANSFORMER)

    @cached_property
    def converters(self) -> TaskConverters:
        """The converters of the task's inputs and outputs, made on first use."""
        return TaskConverters(self)

    @cached_property
    def input_signature(self) -> InputSignature:
        """The task's inputs as a call binds them, made on first use."""
        return InputSignature.of(self)

    @property
    def short_name(self) -> str:
        """The name shown for this task's calls: workflow node names in the UI, child executions, local logs."""
        return self._short_name

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        return call(self, args, kwargs)

    def aio(self, *args: P.args, **kwargs: P.kwargs) -> Coroutine[Any, Any, Out]:
        """Call the task from async code: locally a sync task runs on a worker thread, never on the loop."""
        return call_async(self, args, kwargs)

    def _with_overrides(self, overrides: CallOverrides) -> OverriddenTask[P, R, Out]:
        return OverriddenTask(self, overrides)

    def forward(self, *args: P.args, **kwargs: P.kwargs) -> R:
        """Run the task's body right here: no literals, no node, no execution, no deck."""
        if where(current_context()).in_workflow_body:
            raise RuntimeError(
                f"{self.name}.forward() was called inside a @workflow; a workflow body is compiled, not run, "
                f"so there is nothing to forward to. Call the task itself to add a node."
            )
        return self._forward_to(*args, **kwargs)

    def _execute_bound(self, *args: Any, **kwargs: Any) -> Any:
        """``execute`` with the arguments of a call, positional ones included: what instance tasks forward to."""
        return self.execute(**bind(self.input_signature, args, kwargs, check_required=False))

    def start_body(self, inputs: Dict[str, Any]) -> Any:
        """The body on native inputs: its result, or for an async body the coroutine to await."""
        return self.execute(**inputs)

    def write_decks(self, inputs: Dict[str, Any], outputs: Dict[str, Any], ctx: Any, params: Any) -> None:
        """The decks of a run: the input and output decks (flytekit's function tasks would add a pip subprocess)."""
        write_io_decks(self, inputs, outputs, ctx, params)

    def get_image(self, settings: SerializationSettings) -> str:
        """The image serialized for the task; a warning if it is one of flytekit's, which lack flytekit_ext."""
        image = super().get_image(settings)
        flytekit_ext_tasks = (entity for entity in FlyteEntities.entities if isinstance(entity, TaskCalls))
        warn_if_flytekit_image(self, image, settings, flytekit_ext_tasks)
        return image

    def __reduce_ex__(self, protocol: Any) -> Any:
        return reduce_task(self) or super().__reduce_ex__(protocol)

    def __getstate__(self) -> Dict[str, Any]:
        # Pickled by value (a task from __main__ sent to a worker process): what it derives is made again there.
        return {key: value for key, value in self.__dict__.items() if key not in _DERIVED}

    def construct_node_metadata(self) -> NodeMetadata:
        """Node metadata named by the short name, so that is what the UI shows for the node."""
        metadata = self.metadata
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
        return promises_for(self, run_local(self, ctx, kwargs, hooked_policy(self)))
