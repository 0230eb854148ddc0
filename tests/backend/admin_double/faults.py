"""Injected admin failures, for testing how clients cope with an admin service that errors."""

from __future__ import annotations

import threading
from typing import Dict, List, Optional, Tuple

import grpc


class Faults:
    """RPC name -> failures to answer instead of running the RPC (``times=None``: until cleared), and delays.

    ``double.faults.fail("CreateExecution", after_running=True)`` runs the next call and then answers the failure:
    the request took effect, but its caller cannot know (a response lost on the way back).

    ``double.faults.delay("CreateExecution", 3.0, times=2)`` holds the next two calls for 3 s before they run:
    a launch that is still in flight when its caller is cancelled or its process is killed. ``after=1`` lets
    the next call through first (a test's own launch of the parent, say) and holds the two after it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: Dict[str, Tuple[grpc.StatusCode, Optional[int], bool]] = {}
        self._delays: Dict[str, Tuple[float, Optional[int], int]] = {}
        self.injected: List[str] = []
        self.delayed: List[str] = []

    def delay(self, rpc: str, seconds: float, times: Optional[int] = 1, after: int = 0) -> None:
        with self._lock:
            self._delays[rpc] = (seconds, times, after)

    def take_delay(self, rpc: str) -> float:
        """How long to hold this call of ``rpc`` before running it (0: not at all)."""
        with self._lock:
            pending = self._delays.get(rpc)
            if pending is None:
                return 0.0
            seconds, times, after = pending
            if after > 0:
                self._delays[rpc] = (seconds, times, after - 1)
                return 0.0
            if times is not None:
                if times <= 1:
                    del self._delays[rpc]
                else:
                    self._delays[rpc] = (seconds, times - 1, 0)
            self.delayed.append(rpc)
            return seconds

    def fail(
        self,
        rpc: str,
        code: grpc.StatusCode = grpc.StatusCode.UNAVAILABLE,
        times: Optional[int] = 1,
        after_running: bool = False,
    ) -> None:
        with self._lock:
            self._pending[rpc] = (code, times, after_running)

    def clear(self, rpc: Optional[str] = None) -> None:
        with self._lock:
            if rpc is None:
                self._pending.clear()
                self._delays.clear()
            else:
                self._pending.pop(rpc, None)
                self._delays.pop(rpc, None)

    def take(self, rpc: str) -> Optional[Tuple[grpc.StatusCode, bool]]:
        """The status code to fail this call of ``rpc`` with, and whether to run the call first, if one is pending."""
        with self._lock:
            pending = self._pending.get(rpc)
            if pending is None:
                return None
            code, times, after_running = pending
            if times is not None:
                if times <= 1:
                    del self._pending[rpc]
                else:
                    self._pending[rpc] = (code, times - 1, after_running)
            self.injected.append(rpc)
            return code, after_running
