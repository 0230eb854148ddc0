"""What the code running now is part of: a ``group`` of calls, and the eager run that records its traces and
its calls.

Both live in ``ContextVar``s, so concurrent children (asyncio tasks and worker threads started with a copy of
the context) each see the group and run they were started in. A task's body starts outside both, as it does
in its own pod on a cluster: :class:`task_scope` clears them around a local call's body.
"""

from __future__ import annotations

import hashlib
import re
from contextvars import ContextVar, Token
from types import TracebackType
from typing import Any, Callable, Optional, Type

#: The name given to the innermost ``flytekit_ext.group`` the code runs in.
GROUP: ContextVar[Optional[str]] = ContextVar("flytekit_ext_group", default=None)

#: The trace recorder of the eager run the code runs in (``_eager.traces.TraceRecorder``).
TRACES: ContextVar[Optional[Any]] = ContextVar("flytekit_ext_traces", default=None)

#: The log of the calls made by the local eager run the code runs in (``_eager.call_log.CallLog``).
CALLS: ContextVar[Optional[Any]] = ContextVar("flytekit_ext_calls", default=None)

#: Whether a failed call made here raises a typed error even outside an eager task (``flytekit_ext.typed_errors``).
#: Not cleared around a task's body: it holds for every call made below the block that set it.
TYPED_ERRORS: ContextVar[bool] = ContextVar("flytekit_ext_typed_errors", default=False)


#: The innermost group's name, or ``None``.
current_group: Callable[[], Optional[str]] = GROUP.get


def labelled(name: str) -> str:
    """``name`` as logs and progress show a call in the current group: ``[group] name``."""
    group = GROUP.get()
    return f"[{group}] {name}" if group else name


def scoped() -> bool:
    """Whether the running code is in a group or an eager run: else :class:`task_scope` has nothing to do."""
    return GROUP.get() is not None or TRACES.get() is not None or CALLS.get() is not None


class task_scope:
    """``with task_scope():`` runs a task's body outside the caller's group and eager run."""

    __slots__ = ("_tokens",)

    def __enter__(self) -> None:
        self._tokens: tuple[Token[Optional[str]], Token[Optional[Any]], Token[Optional[Any]]] = (
            GROUP.set(None),
            TRACES.set(None),
            CALLS.set(None),
        )

    def __exit__(
        self, exc_type: Type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        group, traces, calls = self._tokens
        CALLS.reset(calls)
        TRACES.reset(traces)
        GROUP.reset(group)


#: The label under which a child execution on a backend carries the group it was started in.
GROUP_LABEL_KEY = "eager-group"

_LABEL_CHARACTERS = re.compile(r"[^A-Za-z0-9._-]+")


def group_label(name: str) -> str:
    """The group ``name`` as a label value, which is how child executions on a backend carry it.

    Kubernetes allows 63 characters of ``A-Za-z0-9._-``, starting and ending with a letter or digit: other
    characters become ``-``, and a name with no letter or digit in that set becomes ``g-<hash of the name>``.
    """
    value = re.sub(r"^[^A-Za-z0-9]+|[^A-Za-z0-9]+$", "", _LABEL_CHARACTERS.sub("-", name)[:63])
    return value or f"g-{hashlib.sha256(name.encode()).hexdigest()[:12]}"
