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

from flytekit.core.context_manager import FlyteContext, FlyteContextManager

from flytekit_ext._flytekit_internals import CONTEXT_STACK

#: The innermost flytekit context of the calling thread or task.
current_context: Callable[[], FlyteContext] = FlyteContextManager.current_context


def enter(ctx: FlyteContext) -> Token[List[FlyteContext]]:
    """Make ``ctx`` the current flytekit context until :func:`leave` is given the token returned."""
    stack = CONTEXT_STACK.get()
    if not stack:
        FlyteContextManager.current_context()  # a new thread: let flytekit build its root context
        stack = CONTEXT_STACK.get()
    return CONTEXT_STACK.set([*stack, ctx])


def leave(token: Token[List[FlyteContext]]) -> None:
    """Restore the context that was current before :func:`enter` returned ``token``."""
    CONTEXT_STACK.reset(token)


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
