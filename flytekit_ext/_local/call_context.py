"""The flytekit context a local task call runs in, and the one its input transformers are given.

Each call gets a context of its own, as flytekit gives it: a local execution state in the task's mode,
parameters with a sandbox of the call's own (made when first read) and an output-metadata tracker. A call
made at top level also starts a new local execution: the decks of the parameters it inherits are emptied.

Building that context is a fifth of a quick call. A top-level call whose context nothing touched (no
sandbox made, no deck, no output metadata, no attribute set) leaves it behind for the next top-level call
from the same context, which finds it as a new one would be: checked again, with a new empty list of decks.
Anything touched, a call that failed, or a call from another context, and the next call builds its own. The
context left behind lives no longer than the context it was made in.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, List, Optional, Tuple

from flytekit.core.context_manager import ExecutionState, FlyteContext, OutputMetadataTracker

from flytekit_ext._runtime import sandbox
from flytekit_ext._runtime.context import is_local_execution
from flytekit_ext._runtime.values import replaced

if TYPE_CHECKING:
    from flytekit.core.base_task import PythonTask


#: A top-level call's context that its call left as it was made: the context the call was made in (weakly), the
#: task's mode and the call's context. A plain tuple: one is made at the end of every such call.
_Untouched = Tuple["weakref.ref[FlyteContext]", Optional[ExecutionState.Mode], FlyteContext]

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
    was made, the next top-level call from ``ctx`` may run in it."""
    if _untouched(ctx, child):
        # The parent's reference drops the context left behind once the parent is gone: it holds what the parent
        # held (a plugin's session among the parameters' attributes, say), which must not outlive it.
        _left[:] = ((weakref.ref(ctx, _parent_gone), child.execution_state.mode, child),)


def _parent_gone(parent: weakref.ref[FlyteContext]) -> None:
    left = _left
    if left and left[0][0] is parent:
        left.clear()


def _untouched(ctx: FlyteContext, child: FlyteContext) -> bool:
    """Whether ``child``, a top-level call's context made in ``ctx``, is still as :func:`call_contexts` made it:
    no branch taken, no output metadata, and parameters as ``sandbox.for_task_call`` made them of ``ctx``'s."""
    state: ExecutionState = child.execution_state  # call_contexts made both
    tracker: OutputMetadataTracker = child.output_metadata_tracker
    if state.branch_eval_mode is not None or tracker.output_metadata:
        return False
    params = state.user_space_params
    if params is None:
        return True
    given = ctx.execution_state.user_space_params if ctx.execution_state is not None else None
    return given is not None and sandbox.untouched_call_params(params, given)


def _take_left(task: PythonTask, ctx: FlyteContext) -> Optional[FlyteContext]:
    """The context left behind, if it was made for a call of ``task``'s mode in ``ctx`` and is still untouched:
    what a left-over thread of the call that left it may have done since is checked again here."""
    try:
        parent, mode, child = _left.pop()
    except IndexError:  # another thread took it
        return None
    if parent() is not ctx or mode is not task.local_execution_mode() or not _untouched(ctx, child):
        return None
    params = child.execution_state.user_space_params
    if params is not None:
        sandbox.start_decks(params, ctx.execution_state.user_space_params)  # type: ignore[union-attr]
    return child
