"""Entering flytekit contexts cheaply and without sharing one stack between concurrent children.

flytekit keeps its context stack as a list inside a ``ContextVar`` and appends to / pops from that list in
place. Asyncio tasks and threads started with a copied context therefore share one list object, and two
children running at once interleave their pushes and pops. Entering a context here installs a *new* list
and restores the previous one through the ``ContextVar`` token, so each child owns its stack. It also skips
the stack-frame capture that flytekit's own push does on every call, which is most of its cost.
"""

from __future__ import annotations

from contextvars import Token
from types import TracebackType
from typing import Callable, List, Type

from flytekit.core.context_manager import ExecutionState, FlyteContext, FlyteContextManager, flyte_context_Var

#: The innermost flytekit context of the calling thread or task: flytekit's own function, bound here (asked on
#: every call, it needs no frame of ours; patching flytekit's later does not reach this name).
current_context: Callable[[], FlyteContext] = FlyteContextManager.current_context


def enter(ctx: FlyteContext) -> Token[List[FlyteContext]]:
    """Make ``ctx`` the current flytekit context until :func:`leave` is given the token returned.

    :class:`entered` as two calls, for the two blocks every task call runs (a ``with`` costs two frames more).
    """
    stack = flyte_context_Var.get()
    if not stack:
        FlyteContextManager.current_context()  # a new thread: let flytekit build its root context
        stack = flyte_context_Var.get()
    return flyte_context_Var.set([*stack, ctx])


#: Restore the context that was current before :func:`enter` returned this token.
leave: Callable[[Token[List[FlyteContext]]], None] = flyte_context_Var.reset


class entered:
    """``with entered(ctx):`` makes ``ctx`` the current flytekit context for the block."""

    __slots__ = ("_ctx", "_token")

    def __init__(self, ctx: FlyteContext) -> None:
        self._ctx = ctx

    def __enter__(self) -> FlyteContext:
        self._token = enter(self._ctx)
        return self._ctx

    def __exit__(
        self,
        exc_type: Type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        leave(self._token)


# A tuple, not a set: a member is found by identity, without the Python-level ``Enum.__hash__`` a set calls.
_LOCAL_MODES = (
    ExecutionState.Mode.LOCAL_TASK_EXECUTION,
    ExecutionState.Mode.LOCAL_WORKFLOW_EXECUTION,
    ExecutionState.Mode.EAGER_LOCAL_EXECUTION,
    ExecutionState.Mode.LOCAL_DYNAMIC_TASK_EXECUTION,
)


def is_local_execution(state: ExecutionState | None) -> bool:
    """flytekit's ``ExecutionState.is_local_execution``, asked on every call, without its four method calls.
    Outside any execution (mode ``None``) this is ``False``, as in flytekit."""
    return state is not None and state.mode in _LOCAL_MODES
