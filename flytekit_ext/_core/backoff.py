"""The one backoff: how long to wait before the next attempt of something that failed or is not done yet.

Used for local retries of a task's body, for polling child executions, and for retrying admin calls.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    """Waits growing by ``factor`` from ``first`` to at most ``cap`` seconds; ``jitter`` spreads each wait by up
    to that fraction either way, so many waiters started together do not retry together."""

    first: float
    factor: float = 2.0
    cap: float = math.inf
    jitter: float = 0.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait after attempt ``attempt`` (1 for the first) before the next one."""
        wait = min(self.first * self.factor ** max(attempt - 1, 0), self.cap)
        if self.jitter:
            wait *= 1 + random.uniform(-self.jitter, self.jitter)
        return wait
