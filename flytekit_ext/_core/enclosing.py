"""The one answer to "what does the running code belong to?": one frozen value in one ``ContextVar``.

:class:`Enclosing` says which ``flytekit_ext.group`` the code runs in, which eager run records its ``trace``
calls and its child calls, which child calls of an eager body it adds to, which live view shows its maps, and
the failure policy of a call handed through a plugin's own hook. It is changed only by making a changed copy
(:func:`within`), so asyncio tasks and worker threads started with a copy of the context each see what they
were started in, and nothing they do changes what their parent sees.

A task's body starts outside the caller's group and eager run, as it would in its own pod on a cluster
(:meth:`Enclosing.for_task_body`).
"""

from __future__ import annotations

import asyncio
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import Any, Iterator, NamedTuple, Optional, Protocol, Tuple

from flytekit_ext._core.child_calls import ChildCalls


class CallRecorder(Protocol):
    """Records the child calls of a local eager run (``_local.call_log.CallLog``)."""

    def recording(self, name: str, group: Optional[str]) -> Any:
        """A context manager around one call."""


class Enclosing(NamedTuple):
    """What the running code belongs to; every field ``None`` outside of all of them.

    (A named tuple: every child call of an eager run makes one for its body, and a frozen dataclass costs several
    times as much to make.)
    """

    #: The name of the innermost ``flytekit_ext.group``.
    group: Optional[str] = None
    #: The trace recorder of the eager run (``_eager.traces.TraceRecorder``).
    traces: Optional[Any] = None
    #: The log of the child calls of the local eager run.
    calls: Optional[CallRecorder] = None
    #: The child calls of the eager body, ended before the body's call completes.
    children: Optional[ChildCalls] = None
    #: The live view of the local eager run, where maps draw their progress (``_local.live_view.LiveView``).
    live: Optional[Any] = None
    #: ``(task, policy)``: the failure policy of a call of ``task`` that a plugin's own hook passes through.
    hooked: Optional[Tuple[Any, Any]] = None
    #: Whether a failed call raises a typed error even outside an eager task (``flytekit_ext.typed_errors()``); it
    #: holds for every call made below the block that set it, in task bodies too.
    typed_errors: bool = False
    #: What a task's body started here runs in, made with this value by :func:`changed` (``None``: this value):
    #: every child call of an eager body asks for it.
    body: Optional[Enclosing] = None

    def for_task_body(self) -> Enclosing:
        """What a task's body runs in: outside the caller's group and eager run (as in a pod of its own)."""
        return self if self.body is None else self.body

    def labelled(self, name: str) -> str:
        """``name`` as logs and progress show a call made here: ``[group] name`` in a group."""
        return f"[{self.group}] {name}" if self.group else name


NOWHERE = Enclosing()
_CURRENT: ContextVar[Enclosing] = ContextVar("flytekit_ext_enclosing", default=NOWHERE)

#: What the running code belongs to.
current = _CURRENT.get


def enter(enclosing: Enclosing) -> Token[Enclosing]:
    """Make ``enclosing`` current until :func:`leave` is given the token returned."""
    return _CURRENT.set(enclosing)


def leave(token: Token[Enclosing]) -> None:
    """Restore what was current before :func:`enter` returned ``token``."""
    _CURRENT.reset(token)


@contextmanager
def within(enclosing: Enclosing) -> Iterator[Enclosing]:
    """Run the block (and what it starts) in ``enclosing``."""
    token = _CURRENT.set(enclosing)
    try:
        yield enclosing
    finally:
        _CURRENT.reset(token)


def changed(**changes: Any) -> Enclosing:
    """The current :class:`Enclosing` with ``changes``."""
    value = _CURRENT.get()._replace(body=None, **changes)
    if value.group is None and value.traces is None and value.calls is None:
        return value
    return value._replace(
        body=Enclosing(None, None, None, value.children, value.live, value.hooked, value.typed_errors)
    )


def adopt_as_child(call: str, task: Optional[asyncio.Task[Any]]) -> None:
    """Called as a call of task ``call`` starts in asyncio task ``task``: record it with the eager body it is made
    in, if any."""
    children = _CURRENT.get().children
    if children is not None:
        children.adopt(call, task)
