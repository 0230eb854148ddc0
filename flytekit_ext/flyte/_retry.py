"""``RetryStrategy`` and ``Backoff``, as in Flyte 2: on Flyte 1 a task's retries are a count.

The count is flytekit's ``retries``: the cluster retries a failed attempt (propeller), and a local run
retries it too (flytekit_ext's pauses: 0.5 s, 1 s, then 2 s). A ``Backoff`` has no counterpart on Flyte 1 and
is ignored with a warning.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Optional, Union

from flytekit_ext.flyte._ignored import ignored


@dataclass(frozen=True)
class Backoff:
    """Pauses between retries: ``min(base * factor**n, cap)`` before retry ``n``."""

    base: timedelta
    factor: float = 1.0
    cap: Optional[timedelta] = None

    def __post_init__(self) -> None:
        if self.base < timedelta(0):
            raise ValueError(f"Backoff: base must be >= 0, got {self.base}")
        if not isinstance(self.factor, (int, float)) or not math.isfinite(self.factor) or self.factor < 1.0:
            raise ValueError(f"Backoff: factor must be a finite number >= 1.0, got {self.factor!r}")
        if self.cap is not None and self.cap < timedelta(0):
            raise ValueError(f"Backoff: cap must be >= 0, got {self.cap}")
        if self.factor > 1.0 and self.cap is None:
            raise ValueError("Backoff: a cap is needed when factor > 1.0")

    def compute_delay(self, n: int) -> timedelta:
        if n < 0:
            raise ValueError(f"Backoff: the retry index must be >= 0, got {n}")
        try:
            delay = self.base * (self.factor**n)
        except OverflowError:
            return self.cap if self.cap is not None else timedelta.max
        return min(delay, self.cap) if self.cap is not None else delay


@dataclass
class RetryStrategy:
    """How many times a failed task is retried, and (ignored on Flyte 1) how long to wait in between."""

    count: int
    backoff: Optional[Backoff] = None

    def __post_init__(self) -> None:
        if isinstance(self.count, bool) or not isinstance(self.count, int) or self.count < 0:
            raise ValueError(f"RetryStrategy: count must be an int >= 0, got {self.count!r}")


def retry_count(retries: Union[int, RetryStrategy, None]) -> int:
    """flytekit's ``retries`` for Flyte 2's ``retries=``."""
    if isinstance(retries, RetryStrategy):
        if retries.backoff is not None:
            ignored("RetryStrategy(backoff=...)", "retries are paced by the cluster, and locally by flytekit_ext")
        return retries.count
    return int(retries or 0)
