"""The progress bar of a local map: rich on a terminal, nothing at all otherwise."""

from __future__ import annotations

import sys
from typing import Any, Iterable


class Progress:
    """Items done of items in all (when every iterable has a length), with a bar, rate and time left."""

    def __init__(self, label: str, iterables: tuple[Iterable[Any], ...]) -> None:
        self._bar: Any = None
        if not sys.stderr.isatty():
            return
        from rich.progress import (  # only on a terminal: rich's import is not free
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeRemainingColumn,
        )

        sizes = [len(it) for it in iterables if hasattr(it, "__len__")]  # type: ignore[arg-type]
        total = min(sizes) if len(sizes) == len(iterables) else None
        self._bar = Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TimeRemainingColumn(),
            transient=True,
        )
        self._task_id = self._bar.add_task(label, total=total)
        self._bar.start()

    def advance(self) -> None:
        if self._bar is not None:
            self._bar.advance(self._task_id)

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()
