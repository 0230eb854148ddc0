"""What the lower layers need from a task: the protocol every flytekit_ext task class satisfies.

Defined here, below the layers that run, route and call tasks, so none of them names the task classes above
them (``flytekit_ext._tasks``), not even for types.
"""

from __future__ import annotations

from typing import Any, Dict, Protocol

from flytekit.core.base_task import TaskMetadata
from flytekit.core.context_manager import ExecutionParameters, ExecutionState, FlyteContext
from flytekit.core.interface import Interface
from flytekit.models.interface import TypedInterface
from flytekit.models.literals import LiteralMap

from flytekit_ext._runtime.literals import TaskConverters


class RunnableTask(Protocol):
    """A flytekit_ext task, as running, routing and calling it sees it."""

    @property
    def name(self) -> str: ...

    @property
    def short_name(self) -> str:
        """The name its calls show (``override(short_name=...)`` aside)."""

    @property
    def is_async(self) -> bool:
        """Whether the body is awaited."""

    @property
    def dispatches_itself(self) -> bool:
        """Whether a plugin class's own ``dispatch_execute`` runs the body (local calls then go through it)."""

    @property
    def wraps_local_execute(self) -> bool:
        """Whether a plugin class's own ``local_execute`` wraps flytekit_ext's (local calls then go through it)."""

    @property
    def metadata(self) -> TaskMetadata: ...

    @property
    def python_interface(self) -> Interface: ...

    @property
    def interface(self) -> TypedInterface: ...

    @property
    def enable_deck(self) -> bool: ...

    @property
    def deck_fields(self) -> Any: ...

    @property
    def converters(self) -> TaskConverters:
        """Its inputs' and outputs' converters, made once."""

    def start_body(self, inputs: Dict[str, Any]) -> Any:
        """The body on native inputs: its result, or for an async body the coroutine to await."""

    def write_decks(self, inputs: Dict[str, Any], outputs: Dict[str, Any], ctx: Any, params: Any) -> None:
        """The decks of a run whose body returned ``outputs``."""

    def pre_execute(self, user_params: ExecutionParameters | None) -> ExecutionParameters | None: ...

    def post_execute(self, user_params: ExecutionParameters | None, rval: Any) -> Any: ...

    def local_execution_mode(self) -> ExecutionState.Mode: ...

    def dispatch_execute(self, ctx: FlyteContext, input_literal_map: LiteralMap) -> Any: ...

    def local_execute(self, ctx: FlyteContext, **kwargs: Any) -> Any: ...
