"""Counting the admin calls the double answers, by RPC: what a client costs the admin service."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Dict


class CallCounts:
    """How many calls of each RPC the double has received (failed and injected ones included)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()

    def count(self, rpc: str) -> None:
        with self._lock:
            self._counts[rpc] += 1

    def snapshot(self) -> Dict[str, int]:
        """The counts so far, by RPC name."""
        with self._lock:
            return dict(self._counts)

    def since(self, earlier: Dict[str, int]) -> Dict[str, int]:
        """The calls made after ``earlier`` (a :meth:`snapshot`), by RPC name, without the RPCs not called."""
        now = self.snapshot()
        return {rpc: n - earlier.get(rpc, 0) for rpc, n in sorted(now.items()) if n - earlier.get(rpc, 0)}
