"""``flyte.ctx().checkpoint``: Flyte 2's ``Checkpoint`` on flytekit's task checkpoint.

A task saves what it has done (a folder, a file, or bytes) and a retried attempt loads what the previous one
saved: on a Flyte 1 cluster the checkpoint is the one propeller gives each attempt; locally the one
flytekit_ext gives a run. ``latest_checkpoint`` finds the newest matching file in a loaded folder.
"""

from __future__ import annotations

import asyncio
import pathlib
import tempfile
from typing import Any, Callable, Optional, Union

_PAYLOAD = "payload"


def task_checkpoint() -> Any:
    """flytekit's checkpoint of the running task, or None when it has none."""
    import flytekit

    try:
        return flytekit.current_context().checkpoint
    except Exception:  # no checkpoint location given (a call outside a run): none
        return None


class Checkpoint:
    """Save and load a task's progress: ``save``/``load`` in async code, ``save_sync``/``load_sync`` in sync code."""

    def __init__(self, underlying: Any) -> None:
        self._underlying = underlying
        self._folder = tempfile.TemporaryDirectory(prefix="flyte-checkpoint-")

    @property
    def path(self) -> pathlib.Path:
        """The local folder a loaded checkpoint is in (a saved ``bytes`` blob is the file ``payload`` there)."""
        return pathlib.Path(self._folder.name)

    def prev_exists(self) -> bool:
        return bool(self._underlying.prev_exists())

    def load_sync(self) -> Optional[pathlib.Path]:
        """The folder holding what the previous attempt saved, or None if it saved nothing."""
        if not self.prev_exists():
            return None
        return pathlib.Path(self._underlying.restore(self.path))

    def save_sync(self, data: Union[pathlib.Path, str, bytes]) -> None:
        """Save a folder, a file, or bytes (kept as the file ``payload``) for the next attempt."""
        if isinstance(data, bytes):
            with tempfile.TemporaryDirectory() as folder:
                payload = pathlib.Path(folder) / _PAYLOAD
                payload.write_bytes(data)
                self._underlying.save(payload)
            return
        self._underlying.save(pathlib.Path(data))

    async def load(self) -> Optional[pathlib.Path]:
        return await asyncio.to_thread(self.load_sync)

    async def save(self, data: Union[pathlib.Path, str, bytes]) -> None:
        await asyncio.to_thread(self.save_sync, data)


BaseCheckpoint = Checkpoint


def latest_checkpoint(
    root: pathlib.Path, glob_pattern: str = "**/last.ckpt", *, key: Optional[Callable[[pathlib.Path], Any]] = None
) -> Optional[pathlib.Path]:
    """The file under ``root`` matching ``glob_pattern`` with the largest ``key`` (default: newest), or None."""
    matches = list(pathlib.Path(root).glob(glob_pattern))
    if not matches:
        return None
    return max(matches, key=key or (lambda path: path.stat().st_mtime))
