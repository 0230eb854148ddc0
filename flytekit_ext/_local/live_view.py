"""A live view of a local eager run on a terminal: its child calls as they run, and its maps' progress.

Shown on stderr when it is a terminal (and ``FLYTEKIT_EXT_LIVE`` is not ``0``), by the outermost local eager
run only; nothing is imported, started or printed otherwise. The view reads the run's
:class:`~flytekit_ext._local.call_log.CallLog`, which the calls fill in themselves, so showing it costs the
calls nothing. A ``map`` started while the view is up shows its bar inside it (a terminal has room for one
live display).
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import Any, Iterator, Optional

from flytekit_ext._core import enclosing
from flytekit_ext._local.call_log import CallLog

LIVE_ENV = "FLYTEKIT_EXT_LIVE"
_SHOWN_RUNNING = 8  # calls listed while they run; the rest are counted
_SHOWN_FAILED = 3


def wanted() -> bool:
    """Whether a live view would be shown here: a terminal on stderr, not turned off, none shown yet."""
    return enclosing.current().live is None and os.environ.get(LIVE_ENV, "1") != "0" and sys.stderr.isatty()


class LiveView:
    """What is shown: a line of counts, the calls running (by group and short name), recent failures, maps."""

    def __init__(self, log: CallLog) -> None:
        from rich.console import Console
        from rich.live import Live
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.log = log
        #: The bars of the maps running in this run, drawn inside the view.
        self.maps = Progress(
            TextColumn("  [progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
        )
        self._live = Live(self, console=Console(stderr=True), refresh_per_second=4, transient=True)

    def __rich__(self) -> Any:
        from rich.console import Group
        from rich.text import Text

        with_records = sorted(self.log.records, key=lambda r: r.started)
        running = [r for r in with_records if r.outcome == "running"]
        failed = [r for r in with_records if r.outcome == "failed"][-_SHOWN_FAILED:]
        counts = self.log.counts()
        done = counts["succeeded"]
        header = Text.assemble(
            (f"{self.log.owner}", "bold"),
            f"  {self.log.elapsed():.1f}s  ",
            (f"{counts['running']} running", "cyan"),
            "  ",
            (f"{done} done", "green"),
            *((f"  {counts['failed']} failed", "red"),) * bool(counts["failed"]),
            *((f"  {counts['cancelled']} cancelled", "dim"),) * bool(counts["cancelled"]),
        )
        now = self.log.elapsed()
        lines = [header]
        for record in running[:_SHOWN_RUNNING]:
            group = f"[{record.group}] " if record.group else ""
            lines.append(Text(f"  ▶ {group}{record.name}  {now - record.started:.1f}s", style="cyan"))
        if len(running) > _SHOWN_RUNNING:
            lines.append(Text(f"  … {len(running) - _SHOWN_RUNNING} more running", style="dim"))
        for record in failed:
            group = f"[{record.group}] " if record.group else ""
            lines.append(Text(f"  ✗ {group}{record.name}: {record.error}", style="red"))
        return Group(*lines, self.maps)

    def start(self) -> None:
        self._live.start()

    def stop(self) -> None:
        self._live.stop()


@contextmanager
def shown(log: CallLog) -> Iterator[Optional[LiveView]]:
    """Show ``log`` live for the block when :func:`wanted`; the view is gone when the block ends.

    The view is the block's :attr:`Enclosing.live <flytekit_ext._core.enclosing.Enclosing.live>` (the caller puts
    it there), where a ``map`` started in the block draws its bar.
    """
    if not wanted():
        yield None
        return
    view = LiveView(log)
    view.start()
    try:
        yield view
    finally:
        view.stop()
