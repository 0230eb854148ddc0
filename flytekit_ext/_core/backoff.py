"""How long to wait before trying again: one exponential backoff, for every retry and polling loop.

A value, not a loop: callers count their attempts and ask :meth:`Backoff.delay` for the wait before the next one.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# Past this many doublings every delay is at its cap anyway; it keeps ``factor ** n`` from overflowing.
_MAX_EXPONENT = 64


@dataclass(frozen=True)
class Backoff:
    """Waits of ``first_s``, then ``factor`` times the one before, at most ``cap_s``.

    ``jitter`` (0 to 1) takes up to that fraction off each wait at random, so many clients pushed back at the same
    moment do not all come back at the same moment.
    """

    first_s: float
    factor: float = 2.0
    cap_s: float = float("inf")
    jitter: float = 0.0

    def delay(self, n: int) -> float:
        """Seconds to wait before attempt ``n + 1``, after ``n`` attempts (``n >= 1``): ``delay(1) == first_s``."""
        if n < 1:
            raise ValueError(f"Backoff.delay counts attempts from 1, got {n}")
        wait = min(self.first_s * self.factor ** min(n - 1, _MAX_EXPONENT), self.cap_s)
        if self.jitter:
            wait *= 1.0 - self.jitter * random.random()
        return wait
