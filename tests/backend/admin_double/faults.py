"""Injected admin failures, for testing how clients cope with an admin service that errors."""

from __future__ import annotations

import threading
from typing import Dict, List, Optional, Tuple

import grpc


class Faults:
    """RPC name -> failures to answer instead of running the RPC (``times=None``: until cleared)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: Dict[str, Tuple[grpc.StatusCode, Optional[int]]] = {}
        self.injected: List[str] = []

    def fail(self, rpc: str, code: grpc.StatusCode = grpc.StatusCode.UNAVAILABLE, times: Optional[int] = 1) -> None:
        with self._lock:
            self._pending[rpc] = (code, times)

    def clear(self, rpc: Optional[str] = None) -> None:
        with self._lock:
            if rpc is None:
                self._pending.clear()
            else:
                self._pending.pop(rpc, None)

    def take(self, rpc: str) -> Optional[grpc.StatusCode]:
        """The status code to fail this call of ``rpc`` with, if a failure is pending."""
        with self._lock:
            pending = self._pending.get(rpc)
            if pending is None:
                return None
            code, times = pending
            if times is not None:
                if times <= 1:
                    del self._pending[rpc]
                else:
                    self._pending[rpc] = (code, times - 1)
            self.injected.append(rpc)
            return code
