"""``flytekit_ext.group(name)``: the calls made inside a block belong to the group ``name``.

As Flyte 2's ``flyte.group``: a group names a set of calls so they can be found together, and the innermost
group is the one that counts (groups do not nest into paths). Unlike Flyte 2's, it is also an async context
manager, and a name that is not a non-empty ``str`` is an error.

Locally the group shows in the log line of each call and in ``map``'s progress bar, and its duration is logged
when it ends; in an eager task on a backend each child execution started inside it is labelled
``eager-group=<name>`` and named with it. The group is kept in a ``ContextVar`` and read when a call starts, so
calls gathered or mapped inside the block belong to it, and calls made by tasks running elsewhere do not.
"""

from __future__ import annotations

import logging
import time
from contextvars import Token
from types import TracebackType
from typing import List, Tuple, Type

from flytekit.loggers import logger

from flytekit_ext._core import enclosing
from flytekit_ext._core.naming import group_label


class group:
    """``with group("name"):`` or ``async with group("name"):`` around calls; see the module's description."""

    __slots__ = ("name", "_entered")

    def __init__(self, name: str) -> None:
        if not isinstance(name, str):
            raise TypeError(f"group: the name must be a str, got {name!r} ({type(name).__name__})")
        if not name.strip():
            raise ValueError(f"group: the name must not be empty, got {name!r}")
        self.name = name
        self._entered: List[Tuple[Token[enclosing.Enclosing], float]] = []

    @property
    def label(self) -> str:
        """The value of the ``eager-group`` label of the child executions started in this group."""
        return group_label(self.name)

    def __enter__(self) -> None:
        self._entered.append((enclosing.enter(enclosing.changed(group=self.name)), time.monotonic()))

    def __exit__(
        self, exc_type: Type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        token, started = self._entered.pop()
        enclosing.leave(token)
        if logger.isEnabledFor(logging.INFO):
            outcome = "ended" if exc is None else f"ended with {type(exc).__name__}"
            logger.info(f"group '{self.name}' {outcome} after {time.monotonic() - started:.2f}s")

    async def __aenter__(self) -> None:
        self.__enter__()

    async def __aexit__(
        self, exc_type: Type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.__exit__(exc_type, exc, tb)

    def __repr__(self) -> str:
        return f"group({self.name!r})"
