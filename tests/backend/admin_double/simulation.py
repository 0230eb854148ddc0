"""Executions the double completes by itself, after a delay and without a process: a test bed for thousands.

With ``AdminDouble(simulation=Simulation(seconds=1.0, outputs=...))`` every execution launched by an eager parent
(label ``eager-exec``; or whatever ``applies_to`` selects) goes QUEUED, RUNNING (after ``start_delay_seconds``) and
SUCCEEDED ``seconds`` later, with the outputs ``outputs`` gives: a fixed literal map, or one computed from the
execution's inputs by a function (which fails the execution by raising). Its node ``n0`` follows the same phases,
so node and task execution calls answer as for a real run. Terminating it aborts it at once. The eager parent
itself still runs as a real process. One scheduler thread serves all simulated executions.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from dataclasses import dataclass
from typing import Callable, List, Optional, Tuple, Union

from flyteidl.core import execution_pb2 as core_exec_pb2
from flyteidl.core import literals_pb2

from .executions import EAGER_TAG_KEY, NODE, WF, ExecutionRecord, ExecutionStore, NodeRecord

Outputs = Union[Callable[[literals_pb2.LiteralMap], literals_pb2.LiteralMap], literals_pb2.LiteralMap, None]


def launched_by_an_eager_parent(rec: ExecutionRecord) -> bool:
    return EAGER_TAG_KEY in rec.labels


@dataclass(frozen=True)
class Simulation:
    """Which executions the double completes by itself (``applies_to``), how long each takes, and their outputs."""

    seconds: float = 1.0
    outputs: Outputs = None  # None: no outputs
    applies_to: Callable[[ExecutionRecord], bool] = launched_by_an_eager_parent

    def outputs_for(self, inputs: literals_pb2.LiteralMap) -> literals_pb2.LiteralMap:
        if self.outputs is None:
            return literals_pb2.LiteralMap()
        if isinstance(self.outputs, literals_pb2.LiteralMap):
            return self.outputs
        return self.outputs(inputs)


_RUN, _END = 0, 1


class Simulator:
    """Moves simulated executions through their phases on one thread, each at its time."""

    def __init__(self, simulation: Simulation, executions: ExecutionStore, start_delay_seconds: float) -> None:
        self.simulation = simulation
        self.executions = executions
        self.start_delay_seconds = start_delay_seconds
        self._due: List[Tuple[float, int, int, ExecutionRecord]] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._closing = False
        self._thread: Optional[threading.Thread] = None

    def start(self, rec: ExecutionRecord, task_id) -> None:
        node = NodeRecord(node_id="n0", task_id=task_id, workdir=rec.workdir / "n0", inputs=rec.inputs)
        with self.executions.lock:
            rec.nodes[node.node_id] = node
        now = time.monotonic()
        with self._wake:
            if self._thread is None:
                self._thread = threading.Thread(target=self._serve, name="admin-double-simulator", daemon=True)
                self._thread.start()
            heapq.heappush(self._due, (now + self.start_delay_seconds, next(self._order), _RUN, rec))
            ends = now + self.start_delay_seconds + self.simulation.seconds
            heapq.heappush(self._due, (ends, next(self._order), _END, rec))
            self._wake.notify()

    def shutdown(self) -> None:
        with self._wake:
            self._closing = True
            self._wake.notify()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _serve(self) -> None:
        while True:
            with self._wake:
                while not self._closing and (not self._due or self._due[0][0] > time.monotonic()):
                    self._wake.wait(None if not self._due else self._due[0][0] - time.monotonic())
                if self._closing:
                    return
                _, _, step, rec = heapq.heappop(self._due)
            if step == _RUN:
                self._running(rec)
            else:
                self._ended(rec)

    def _running(self, rec: ExecutionRecord) -> None:
        with self.executions.lock:
            if rec.abort_requested.is_set() or rec.is_terminal:
                return
            rec.set_phase(WF.RUNNING)
            rec.nodes["n0"].set_phase(NODE.RUNNING)

    def _ended(self, rec: ExecutionRecord) -> None:
        outputs, error = None, None
        try:
            outputs = self.simulation.outputs_for(rec.inputs)
        except Exception as failure:  # noqa: BLE001 - the simulated task failed, as the function says
            kind = core_exec_pb2.ExecutionError.USER
            error = core_exec_pb2.ExecutionError(code=type(failure).__name__, message=str(failure), kind=kind)
        with self.executions.lock:
            if rec.abort_requested.is_set() or rec.is_terminal:
                return
            node = rec.nodes["n0"]
            if error is None:
                node.outputs = rec.outputs = outputs
                node.set_phase(NODE.SUCCEEDED)
                rec.set_phase(WF.SUCCEEDED)
            else:
                node.error = rec.error = error
                node.set_phase(NODE.FAILED)
                rec.set_phase(WF.FAILED)
