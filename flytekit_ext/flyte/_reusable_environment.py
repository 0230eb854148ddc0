"""``ReusePolicy``, as in Flyte 2: reusable containers, which Flyte 1 does not have (accepted with a warning)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal, Tuple, Union


@dataclass
class ReusePolicy:
    """Container reuse for an environment's tasks; each task runs in a pod of its own on Flyte 1."""

    replicas: Union[int, Tuple[int, int]] = 2
    idle_ttl: Union[int, timedelta] = 30
    concurrency: int = 1
    scaledown_ttl: Union[int, timedelta] = 30
    scope: Literal["global", "run"] = "global"

    def __post_init__(self) -> None:
        if isinstance(self.replicas, int) and self.replicas < 1:
            raise ValueError(f"ReusePolicy: replicas must be >= 1, got {self.replicas}")
        if isinstance(self.replicas, tuple) and (len(self.replicas) != 2 or self.replicas[0] > self.replicas[1]):
            raise ValueError(f"ReusePolicy: replicas must be (min, max) with min <= max, got {self.replicas}")
        if self.concurrency < 1:
            raise ValueError(f"ReusePolicy: concurrency must be >= 1, got {self.concurrency}")
