"""Per-task execution parameters whose sandbox folders exist only once the task asks for them.

flytekit gives every local task call a fresh working directory and checkpoint folder, made eagerly with
``mkdtemp`` and ``mkdir``. Most tasks never look at either, so here they are made on first access.
"""

from __future__ import annotations

import pathlib
import tempfile
from typing import cast

from flytekit.core.checkpointer import Checkpoint, SyncCheckpoint
from flytekit.core.context_manager import ExecutionParameters


class LazySandboxParameters(ExecutionParameters):
    """``ExecutionParameters`` whose working directory and checkpoint are created when first read."""

    _sandbox_parent: str
    _sandbox: str | None

    def _ensure_sandbox(self) -> str:
        if self._sandbox is None:
            self._sandbox = tempfile.mkdtemp(prefix=self._sandbox_parent)
            checkpoint_dir = pathlib.Path(self._sandbox) / "__cp"
            checkpoint_dir.mkdir(exist_ok=True)
            self._checkpoint = SyncCheckpoint(checkpoint_dest=str(checkpoint_dir))
        return self._sandbox

    @property
    def working_directory(self) -> str:
        return self._ensure_sandbox()

    @property
    def checkpoint(self) -> Checkpoint:
        self._ensure_sandbox()
        return cast(Checkpoint, self._checkpoint)


def for_task_call(parent: ExecutionParameters, fresh_decks: bool) -> ExecutionParameters:
    """Parameters for one local task call: the parent's, with a lazy sandbox of the call's own.

    As in flytekit, a call started from outside any execution starts with no decks, and a call made inside
    one adds its decks (its timeline included) to those of the execution it runs in.
    """
    lazy: LazySandboxParameters = object.__new__(LazySandboxParameters)
    lazy.__dict__.update(parent.__dict__)
    if isinstance(parent, LazySandboxParameters):
        lazy._sandbox_parent = parent._sandbox_parent  # a nested call does not need its parent's sandbox made
    else:
        parent_dir = parent._working_directory
        lazy._sandbox_parent = getattr(parent_dir, "name", None) or str(parent_dir)
    lazy._sandbox = None
    if fresh_decks:
        # As flytekit does for a new local execution: the caller's decks start empty and then receive this
        # call's decks (its timeline among them), so the caller can read them afterwards.
        parent._decks = []
        lazy._decks = parent._decks
    return lazy
