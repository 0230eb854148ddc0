"""The run a task call belongs to: what ``flyte.run`` sets, and what ``flyte.ctx()`` reads.

Kept in a ``ContextVar``, so the tasks a run calls (awaited, gathered, mapped on worker threads) see it, and
code outside a run does not.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Dict, Iterator, Optional


@dataclass(frozen=True)
class RunContext:
    """A local run: its name and the custom context given to it."""

    run_name: str
    custom_context: Dict[str, str] = field(default_factory=dict)


RUN: ContextVar[Optional[RunContext]] = ContextVar("flytekit_ext.flyte.run", default=None)


@contextmanager
def running(context: RunContext) -> Iterator[RunContext]:
    token = RUN.set(context)
    try:
        yield context
    finally:
        RUN.reset(token)
