"""Per-task execution parameters whose sandbox folders exist only once the task asks for them.

flytekit gives every local task call a fresh working directory and checkpoint folder, made eagerly with
``mkdtemp`` and ``mkdir``. Most tasks never look at either, so here they are made on first access.

A local retry runs as a cluster runs one, in a new pod: with a sandbox of its own, and with the checkpoint the
failed attempt wrote as the one to read (what ``pyflyte-execute --prev-checkpoint`` gives a retried pod).
"""

from __future__ import annotations

import pathlib
import tempfile
from typing import Optional, cast

from flytekit.core.checkpointer import Checkpoint, SyncCheckpoint
from flytekit.core.context_manager import ExecutionParameters


class LazySandboxParameters(ExecutionParameters):
    """``ExecutionParameters`` whose working directory and checkpoint are created when first read."""

    _sandbox_parent: str
    _sandbox: str | None
    #: Where the previous attempt of this run wrote its checkpoint; None for a first attempt.
    _previous_checkpoint: str | None

    def _ensure_sandbox(self) -> str:
        if self._sandbox is None:
            self._sandbox = tempfile.mkdtemp(prefix=self._sandbox_parent)
            checkpoint_dir = pathlib.Path(self._sandbox) / "__cp"
            checkpoint_dir.mkdir(exist_ok=True)
            self._checkpoint = SyncCheckpoint(
                checkpoint_dest=str(checkpoint_dir), checkpoint_src=self._previous_checkpoint
            )
        return self._sandbox

    @property
    def working_directory(self) -> str:
        return self._ensure_sandbox()

    @property
    def checkpoint(self) -> Checkpoint:
        self._ensure_sandbox()
        return cast(Checkpoint, self._checkpoint)


def _lazy_copy(
    params: ExecutionParameters, previous_checkpoint: Optional[str], new_timeline: bool
) -> LazySandboxParameters:
    """A copy of ``params`` with a sandbox of its own, made when first read; ``new_timeline``: without the
    timeline deck ``params`` remembers, as flytekit's parameters for a new call have none."""
    attributes = params.__dict__.copy()  # quicker than filling a new object's dict one key at a time
    if new_timeline:
        attributes["_timeline_deck"] = None
    if isinstance(params, LazySandboxParameters):
        parent = params._sandbox_parent  # a nested call does not need its parent's sandbox made
    else:
        parent_dir = params._working_directory
        parent = getattr(parent_dir, "name", None) or str(parent_dir)
    attributes["_sandbox_parent"] = parent
    attributes["_sandbox"] = None
    attributes["_previous_checkpoint"] = previous_checkpoint
    lazy: LazySandboxParameters = object.__new__(LazySandboxParameters)
    lazy.__dict__ = attributes
    return lazy


def _written_checkpoint(params: ExecutionParameters) -> Optional[str]:
    """Where an attempt run with ``params`` wrote its checkpoint; None if it never made one."""
    if isinstance(params, LazySandboxParameters) and params._sandbox is None:
        return None
    checkpoint = params.__dict__.get("_checkpoint")
    return str(checkpoint._checkpoint_dest) if isinstance(checkpoint, SyncCheckpoint) else None


def for_next_attempt(params: ExecutionParameters) -> ExecutionParameters:
    """Parameters for the next local attempt of a run whose attempt with ``params`` failed.

    The same execution, decks and timeline; a sandbox of its own, whose checkpoint reads what the failed
    attempt wrote, so a task that resumes from its checkpoint resumes locally as it would on a cluster.
    """
    return _lazy_copy(params, _written_checkpoint(params), new_timeline=False)


def for_task_call(parent: ExecutionParameters, fresh_decks: bool) -> ExecutionParameters:
    """Parameters for one local task call: the parent's, with a lazy sandbox of the call's own.

    Decks follow flytekit's contract: a call made inside an execution adds its decks (its timeline among
    them) to that execution's list. A call that starts a new local execution first empties the list of the
    parameters it inherits, which are the caller's own object, so afterwards the caller reads exactly this
    call's decks in its context, as it would with flytekit.
    """
    if fresh_decks:
        parent._decks = []
    # New parameters, as flytekit builds for each call: no timeline deck remembered from the parent's runs (a
    # timeline the call is part of is found among the shared decks).
    return _lazy_copy(parent, None, True)  # new_timeline, by position: a keyword costs a little on every call
