"""The progress bar of a local map: rich on a terminal, nothing at all otherwise.

Inside a local eager run's live view the bar is drawn in that view; elsewhere it is a display of its own.
"""

from __future__ import annotations

import sys
from typing import Any, Iterable

from flytekit_ext._core import enclosing


class Progress:
    """Items done of items in all (when every iterable has a length), with a bar, rate and time left."""

    def __init__(self, label: str, iterables: tuple[Iterable[Any], ...]) -> None:
        self._bar: Any = None
        self._own = False
        view = enclosing.current().live
        if view is not None:
            self._bar = view.maps
            self._task_id = self._bar.add_task(_escaped(label), total=_total(iterables))
            return
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

        self._own = True
        self._bar = Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TimeRemainingColumn(),
            transient=True,
        )
        self._task_id = self._bar.add_task(_escaped(label), total=_total(iterables))
        self._bar.start()

    def advance(self) -> None:
        if self._bar is not None:
            self._bar.advance(self._task_id)

    def stop(self) -> None:
        if self._bar is None:
            return
        if self._own:
            self._bar.stop()
        else:
            self._bar.remove_task(self._task_id)


def _escaped(label: str) -> str:
    """``label`` shown as it is: "[group] name" is not rich markup."""
    from rich.markup import escape

    return escape(label)


def _total(iterables: tuple[Iterable[Any], ...]) -> int | None:
    """How many items the map has, when every iterable knows its length."""
    sizes = [len(it) for it in iterables if hasattr(it, "__len__")]  # type: ignore[arg-type]
    return min(sizes) if len(sizes) == len(iterables) else None
