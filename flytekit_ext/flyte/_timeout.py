"""``Timeout``, as in Flyte 2: on Flyte 1 a task's timeout is its run time per attempt (``max_runtime``).

``max_queued_time`` and ``deadline`` have no counterpart on Flyte 1 (the execution's own settings bound it as a
whole) and are ignored with a warning. A bare ``int`` (seconds) or ``timedelta`` is ``max_runtime``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Union

from flytekit_ext.flyte._ignored import ignored


@dataclass
class Timeout:
    """Bounds on a task's time: ``max_runtime`` (per attempt), ``max_queued_time``, ``deadline``."""

    max_runtime: Union[timedelta, int, None] = None
    max_queued_time: Union[timedelta, int, None] = None
    deadline: Union[timedelta, int, None] = None


TimeoutType = Union[Timeout, int, timedelta]


def timeout_from_request(timeout: TimeoutType) -> Timeout:
    if isinstance(timeout, Timeout):
        return timeout
    if isinstance(timeout, (int, timedelta)) and not isinstance(timeout, bool):
        return Timeout(max_runtime=timeout)
    raise ValueError(f"timeout must be a Timeout, seconds (int) or a timedelta, got {timeout!r}")


def run_time_limit(timeout: TimeoutType | None) -> Union[timedelta, int]:
    """flytekit's ``timeout`` for Flyte 2's ``timeout=``: 0 means none."""
    if not timeout:
        return 0
    resolved = timeout_from_request(timeout)
    if resolved.max_queued_time:
        ignored("Timeout(max_queued_time=...)", "bound the execution's time in the cluster's settings")
    if resolved.deadline:
        ignored("Timeout(deadline=...)", "bound the execution's time in the cluster's settings")
    return resolved.max_runtime or 0
