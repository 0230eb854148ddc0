"""The flytekit context a local task call runs in, and the one its input transformers are given.

Each call gets a context of its own, as flytekit gives it: a local execution state in the task's mode,
parameters with a sandbox of the call's own (made when first read) and an output-metadata tracker. A call
made at top level also starts a new local execution: the decks of the parameters it inherits are emptied.

Building that context is a fifth of a quick call. A top-level call whose context nothing touched (no
sandbox made, no deck, no output metadata) leaves it behind for the next top-level call from the same
context: that call could not tell it from a new one. Anything touched, or a call that failed, and the next
call builds its own.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, List, Optional, Tuple

from flytekit.core.context_manager import ExecutionParameters, ExecutionState, FlyteContext, OutputMetadataTracker

from flytekit_ext._runtime import sandbox
from flytekit_ext._runtime.context import is_local_execution
from flytekit_ext._runtime.values import replaced

if TYPE_CHECKING:
    from flytekit.core.base_task import PythonTask


#: A top-level call's context that its call left as it was made: the context the call was made in (weakly), the
#: task's mode, the call's context and its parameters. A plain tuple: one is made at the end of every such call.
_Untouched = Tuple[
    "weakref.ref[FlyteContext]", Optional[ExecutionState.Mode], FlyteContext, Optional[ExecutionParameters]
]

#: At most one context left behind; taken with ``pop``, so two threads never get the same one.
_left: List[_Untouched] = []


def call_contexts(task: PythonTask, ctx: FlyteContext) -> Tuple[FlyteContext, FlyteContext]:
    """The context a call of ``task`` made in ``ctx`` runs in, and the one its input transformers are given:
    that same context for a call that starts a local execution (top level), the caller's for a call made
    inside one. A call that starts an execution gives its context to :func:`call_ended` once it succeeded."""
    if _left:
        reused = _take_left(task, ctx)
        if reused is not None:
            return reused, reused
    state: ExecutionState = ctx.execution_state if ctx.execution_state is not None else ctx.new_execution_state()
    starts_execution = not is_local_execution(state)
    params = state.user_space_params
    if params is not None:
        params = sandbox.for_task_call(params, fresh_decks=starts_execution)
    child_state = replaced(state, mode=task.local_execution_mode(), user_space_params=params)
    child = replaced(ctx, execution_state=child_state, output_metadata_tracker=OutputMetadataTracker())
    return child, (child if starts_execution else ctx)


def call_ended(ctx: FlyteContext, child: FlyteContext) -> None:
    """A call made in ``ctx`` that started a local execution in ``child`` succeeded: if it left ``child`` as it
    was made (no sandbox, deck or output metadata; no branch taken), the next top-level call from ``ctx`` may run
    in it."""
    state: ExecutionState = child.execution_state  # call_contexts made one
    tracker: OutputMetadataTracker = child.output_metadata_tracker  # and this
    params = state.user_space_params
    if (params is None or _unused(params)) and state.branch_eval_mode is None and not tracker.output_metadata:
        _left[:] = ((weakref.ref(ctx), state.mode, child, params),)


def _unused(params: ExecutionParameters) -> bool:
    return (
        type(params) is sandbox.LazySandboxParameters
        and params._sandbox is None
        and not params._decks
        and params._timeline_deck is None
    )


def _take_left(task: PythonTask, ctx: FlyteContext) -> Optional[FlyteContext]:
    """The context left behind, if it was made for a call of ``task``'s mode in ``ctx``, and the decks it shares
    with ``ctx`` are still ``ctx``'s and empty (a new execution starts with none)."""
    try:
        parent, mode, child, params = _left.pop()
    except IndexError:  # another thread took it
        return None
    state = ctx.execution_state
    if parent() is not ctx or mode is not task.local_execution_mode():
        return None
    if params is not None:
        given = state.user_space_params if state is not None else None
        if given is None or params._decks is not given._decks or params._decks:
            return None
    return child
