"""``flyte.models``: the values a task context is made of (``ActionID``, ``TaskContext``, ``RawDataPath``, ...)
and ``ActionPhase``, the phases of a run."""

from __future__ import annotations

import enum

from flytekit_ext.flyte._context import (
    NULL_TASK_CONTEXT,
    ActionID,
    CheckpointPaths,
    GroupData,
    RawDataPath,
    TaskContext,
)


class ActionPhase(str, enum.Enum):
    """A run's or an action's phase."""

    QUEUED = "queued"
    WAITING_FOR_RESOURCES = "waiting_for_resources"
    INITIALIZING = "initializing"
    RUNNING = "running"
    PAUSED = "paused"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    ABORTED = "aborted"
    TIMED_OUT = "timed_out"
    RECOVERED = "recovered"

    @property
    def is_terminal(self) -> bool:
        return self in (ActionPhase.SUCCEEDED, ActionPhase.FAILED, ActionPhase.ABORTED, ActionPhase.TIMED_OUT)


__all__ = [
    "NULL_TASK_CONTEXT",
    "ActionID",
    "ActionPhase",
    "CheckpointPaths",
    "GroupData",
    "RawDataPath",
    "TaskContext",
]
