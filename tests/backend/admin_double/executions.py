"""Execution records (one per workflow execution, with its node executions) and their store.

The records are the double's source of truth: the servicer renders them as flyteidl messages, the runner
moves them through phases, and tests read immutable snapshots of them (:class:`ExecutionInfo`).
"""

from __future__ import annotations

import datetime
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from flyteidl.admin import common_pb2, execution_pb2, node_execution_pb2, task_execution_pb2
from flyteidl.core import execution_pb2 as core_exec_pb2
from flyteidl.core import identifier_pb2, literals_pb2

from . import filters as flt
from .entities import now_utc
from .errors import already_exists, invalid_argument, not_found

WF = core_exec_pb2.WorkflowExecution.Phase
NODE = core_exec_pb2.NodeExecution.Phase
TASK = core_exec_pb2.TaskExecution.Phase

TERMINAL = {WF.SUCCEEDED, WF.FAILED, WF.ABORTED, WF.TIMED_OUT}
EAGER_TAG_KEY = "eager-exec"  # flytekit.core.constants.EAGER_TAG_KEY
EAGER_ROOT_TAG_KEY = "eager-root-exec"  # flytekit.core.constants.EAGER_TAG_ROOT_KEY

_NODE_TO_TASK_PHASE = {
    NODE.QUEUED: TASK.QUEUED,
    NODE.RUNNING: TASK.RUNNING,
    NODE.SUCCEEDED: TASK.SUCCEEDED,
    NODE.FAILED: TASK.FAILED,
    NODE.ABORTED: TASK.ABORTED,
}


def phase_name(phase: int) -> str:
    return WF.Name(phase)


def _ts(dt: Optional[datetime.datetime]):
    from google.protobuf.timestamp_pb2 import Timestamp

    t = Timestamp()
    if dt is not None:
        t.FromDatetime(dt)
    return t


@dataclass
class NodeRecord:
    """One node of an execution; a node is run again while its task's retries last (see runner.py)."""

    node_id: str
    task_id: Optional[identifier_pb2.Identifier]
    workdir: Path
    is_failure_node: bool = False
    phase: int = NODE.QUEUED
    inputs: literals_pb2.LiteralMap = field(default_factory=literals_pb2.LiteralMap)
    outputs: Optional[literals_pb2.LiteralMap] = None
    error: Optional[core_exec_pb2.ExecutionError] = None
    created_at: datetime.datetime = field(default_factory=now_utc)
    started_at: Optional[datetime.datetime] = None
    updated_at: datetime.datetime = field(default_factory=now_utc)
    pid: Optional[int] = None
    command: List[str] = field(default_factory=list)
    attempts: int = 0  # attempts started
    recoverable: bool = False  # the last attempt's error document said RECOVERABLE (and USER)

    def set_phase(self, phase: int) -> None:
        self.phase = phase
        self.updated_at = now_utc()
        if phase == NODE.RUNNING and self.started_at is None:
            self.started_at = self.updated_at


@dataclass
class ExecutionRecord:
    id: identifier_pb2.WorkflowExecutionIdentifier
    spec: execution_pb2.ExecutionSpec
    inputs: literals_pb2.LiteralMap
    workdir: Path
    workflow_id: Optional[identifier_pb2.Identifier] = None
    phase: int = WF.QUEUED
    created_at: datetime.datetime = field(default_factory=now_utc)
    started_at: Optional[datetime.datetime] = None
    updated_at: datetime.datetime = field(default_factory=now_utc)
    outputs: Optional[literals_pb2.LiteralMap] = None
    error: Optional[core_exec_pb2.ExecutionError] = None
    abort_cause: str = ""
    nodes: Dict[str, NodeRecord] = field(default_factory=dict)
    abort_requested: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def name(self) -> str:
        return self.id.name

    def __post_init__(self) -> None:
        self._labels = dict(self.spec.labels.values)  # fixed at creation; read by every list filter

    @property
    def labels(self) -> Dict[str, str]:
        return dict(self._labels)

    @property
    def envs(self) -> Dict[str, str]:
        return {kv.key: kv.value for kv in self.spec.envs.values}

    @property
    def is_terminal(self) -> bool:
        return self.phase in TERMINAL

    def set_phase(self, phase: int) -> None:
        self.phase = phase
        self.updated_at = now_utc()
        if phase == WF.RUNNING and self.started_at is None:
            self.started_at = self.updated_at
        if phase in TERMINAL:
            self.done.set()

    # -- rendering -----------------------------------------------------------------------------------------
    def to_pb(self) -> execution_pb2.Execution:
        closure = execution_pb2.ExecutionClosure(
            phase=self.phase,
            created_at=_ts(self.created_at),
            updated_at=_ts(self.updated_at),
            computed_inputs=self.inputs,
        )
        if self.started_at:
            closure.started_at.CopyFrom(_ts(self.started_at))
            end = self.updated_at if self.is_terminal else now_utc()
            closure.duration.FromTimedelta(end - self.started_at)
        if self.workflow_id is not None:
            closure.workflow_id.CopyFrom(self.workflow_id)
        if self.phase == WF.ABORTED:
            closure.abort_metadata.CopyFrom(
                execution_pb2.AbortMetadata(cause=self.abort_cause, principal="admin-double")
            )
        elif self.error is not None and self.phase in (WF.FAILED, WF.FAILING):
            closure.error.CopyFrom(self.error)
        elif self.phase == WF.SUCCEEDED and self.outputs is not None:
            # Admin points at the outputs file (flytekit cannot parse the inline ``values`` form)
            closure.outputs.CopyFrom(execution_pb2.LiteralMapBlob(uri=str(self.workdir / "outputs.pb")))
        return execution_pb2.Execution(id=self.id, spec=self.spec, closure=closure)

    def node_id_pb(self, node: NodeRecord) -> identifier_pb2.NodeExecutionIdentifier:
        return identifier_pb2.NodeExecutionIdentifier(node_id=node.node_id, execution_id=self.id)

    def node_to_pb(self, node: NodeRecord) -> node_execution_pb2.NodeExecution:
        closure = node_execution_pb2.NodeExecutionClosure(
            phase=node.phase, created_at=_ts(node.created_at), updated_at=_ts(node.updated_at)
        )
        if node.started_at:
            closure.started_at.CopyFrom(_ts(node.started_at))
        if node.error is not None and node.phase == NODE.FAILED:
            closure.error.CopyFrom(node.error)
        return node_execution_pb2.NodeExecution(
            id=self.node_id_pb(node),
            input_uri=str(node.workdir / "inputs.pb"),
            closure=closure,
            metadata=node_execution_pb2.NodeExecutionMetaData(retry_group="0", spec_node_id=node.node_id),
        )

    def task_execution_to_pb(self, node: NodeRecord) -> task_execution_pb2.TaskExecution:
        closure = task_execution_pb2.TaskExecutionClosure(
            phase=_NODE_TO_TASK_PHASE.get(node.phase, TASK.UNDEFINED),
            created_at=_ts(node.created_at),
            updated_at=_ts(node.updated_at),
        )
        if node.started_at:
            closure.started_at.CopyFrom(_ts(node.started_at))
        if node.error is not None and node.phase == NODE.FAILED:
            closure.error.CopyFrom(node.error)
        return task_execution_pb2.TaskExecution(
            id=self.task_execution_id(node), input_uri=str(node.workdir / "inputs.pb"), closure=closure
        )

    def task_execution_id(self, node: NodeRecord) -> identifier_pb2.TaskExecutionIdentifier:
        return identifier_pb2.TaskExecutionIdentifier(
            task_id=node.task_id, node_execution_id=self.node_id_pb(node), retry_attempt=0
        )

    # -- filtering -----------------------------------------------------------------------------------------
    def field(self, key: str):
        key = key[len("execution.") :] if key.startswith("execution.") else key
        if key.startswith("labels."):
            return self._labels.get(key[len("labels.") :])
        read = _FIELDS.get(key)
        if read is None:
            raise invalid_argument(f"unsupported filter key {key!r} for executions")
        return read(self)


def _launch_plan_field(rec: ExecutionRecord, resource_type: int, part: str):
    lp = rec.spec.launch_plan
    return getattr(lp, part) if lp.resource_type == resource_type else None


# What each execution filter key reads from a record (``labels.<key>`` aside).
_FIELDS = {
    "project": lambda r: r.id.project,
    "domain": lambda r: r.id.domain,
    "name": lambda r: r.id.name,
    "phase": lambda r: WF.Name(r.phase),
    "created_at": lambda r: r.created_at,
    "updated_at": lambda r: r.updated_at,
    "started_at": lambda r: r.started_at,
    "mode": lambda r: execution_pb2.ExecutionMetadata.ExecutionMode.Name(r.spec.metadata.mode),
    "principal": lambda r: r.spec.metadata.principal,
    "user": lambda r: r.spec.metadata.principal,
    "launch_plan.name": lambda r: _launch_plan_field(r, identifier_pb2.LAUNCH_PLAN, "name"),
    "launch_plan.version": lambda r: _launch_plan_field(r, identifier_pb2.LAUNCH_PLAN, "version"),
    "task.name": lambda r: _launch_plan_field(r, identifier_pb2.TASK, "name"),
    "workflow.name": lambda r: r.workflow_id.name if r.workflow_id is not None else None,
    "workflow.version": lambda r: r.workflow_id.version if r.workflow_id is not None else None,
    "parent": lambda r: r._labels.get(EAGER_TAG_KEY),
}


@dataclass(frozen=True)
class NodeInfo:
    node_id: str
    phase: str
    task: Optional[str]
    is_failure_node: bool
    pid: Optional[int]
    error: Optional[str]
    workdir: Path  # inputs.pb, outputs/, stdout.log and stderr.log of the node's subprocess (attempt-<n>/: retries)
    attempts: int = 1


@dataclass(frozen=True)
class ExecutionInfo:
    """An immutable snapshot of one execution, for assertions in tests."""

    project: str
    domain: str
    name: str
    phase: str
    entity: str  # name of the task or launch plan that was launched
    labels: Dict[str, str]
    envs: Dict[str, str]
    parent: Optional[str]  # the eager execution that launched this one (label eager-exec)
    root: Optional[str]  # the root eager execution (label eager-root-exec)
    error: Optional[str]  # the error's message
    abort_cause: str
    nodes: Tuple[NodeInfo, ...]
    created_at: datetime.datetime
    started_at: Optional[datetime.datetime] = None  # when it became RUNNING
    finished_at: Optional[datetime.datetime] = None  # when it reached a terminal phase
    error_code: Optional[str] = None

    @property
    def pids(self) -> List[int]:
        return [n.pid for n in self.nodes if n.pid is not None]

    @property
    def is_terminal(self) -> bool:
        return self.phase in {WF.Name(p) for p in TERMINAL}


def snapshot(rec: ExecutionRecord) -> ExecutionInfo:
    labels = rec.labels
    return ExecutionInfo(
        project=rec.id.project,
        domain=rec.id.domain,
        name=rec.id.name,
        phase=WF.Name(rec.phase),
        entity=rec.spec.launch_plan.name,
        labels=labels,
        envs=rec.envs,
        parent=labels.get(EAGER_TAG_KEY),
        root=labels.get(EAGER_ROOT_TAG_KEY),
        error=rec.error.message if rec.error is not None else None,
        abort_cause=rec.abort_cause,
        nodes=tuple(
            NodeInfo(
                node_id=n.node_id,
                phase=NODE.Name(n.phase),
                task=n.task_id.name if n.task_id is not None else None,
                is_failure_node=n.is_failure_node,
                pid=n.pid,
                error=n.error.message if n.error is not None else None,
                workdir=n.workdir,
                attempts=n.attempts,
            )
            for n in rec.nodes.values()
        ),
        started_at=rec.started_at,
        finished_at=rec.updated_at if rec.phase in TERMINAL else None,
        created_at=rec.created_at,
        error_code=rec.error.code if rec.error is not None else None,
    )


class ExecutionStore:
    """All executions by (project, domain, name). Mutations happen under ``lock``."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._records: Dict[Tuple[str, str, str], ExecutionRecord] = {}
        self._order: List[Tuple[str, str, str]] = []
        # Children by eager parent (label eager-exec), in creation order: a parent's listing scans its own only.
        self._by_parent: Dict[str, List[Tuple[str, str, str]]] = {}

    @staticmethod
    def key(ident) -> Tuple[str, str, str]:
        return (ident.project, ident.domain, ident.name)

    def new_name(self) -> str:
        return "f" + uuid.uuid4().hex[:19]

    def add(self, rec: ExecutionRecord) -> None:
        with self.lock:
            k = self.key(rec.id)
            if k in self._records:
                raise already_exists(f"execution {'/'.join(k)} already exists")
            self._records[k] = rec
            self._order.append(k)
            parent = rec._labels.get(EAGER_TAG_KEY)
            if parent is not None:
                self._by_parent.setdefault(parent, []).append(k)

    def exists(self, ident) -> bool:
        with self.lock:
            return self.key(ident) in self._records

    def get(self, ident) -> ExecutionRecord:
        with self.lock:
            rec = self._records.get(self.key(ident))
            if rec is None:
                raise not_found(f"execution {'/'.join(self.key(ident))} does not exist")
            return rec

    def named(self, name: str) -> Optional[ExecutionRecord]:
        """The first execution created with this name, in any project and domain (what tests look up)."""
        with self.lock:
            return next((self._records[k] for k in self._order if k[2] == name), None)

    def all(self) -> List[ExecutionRecord]:
        with self.lock:
            return [self._records[k] for k in self._order]

    def list(self, req: common_pb2.ResourceListRequest) -> Tuple[List[ExecutionRecord], str]:
        fs = flt.parse_filters(req.filters)
        parent = flt.tag_value(fs, EAGER_TAG_KEY)
        with self.lock:
            keys = self._order if parent is None else self._by_parent.get(parent, [])
            candidates = [
                r
                for r in (self._records[k] for k in keys)
                if r.id.project == req.id.project
                and r.id.domain == req.id.domain
                and (not req.id.name or r.id.name == req.id.name)
            ]
            found = [r for r in candidates if flt.matches(fs, r.field, r._labels.items())]
        descending = not req.HasField("sort_by") or req.sort_by.direction == common_pb2.Sort.DESCENDING
        sort_key = req.sort_by.key if req.HasField("sort_by") and req.sort_by.key else "created_at"
        return flt.sort_and_page(found, sort_key, descending, lambda r, k: r.field(k), req.limit, req.token)
