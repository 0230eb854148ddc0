"""The child calls of a local eager run: when each started and ended, how it ended, and a picture of them.

A local eager run keeps a :class:`CallLog` in the context while its body runs; each task call made in the
body records itself there (a call made inside a child task's body belongs to that task, not to the eager
run, as on a cluster). The log feeds the live view on a terminal and the run's timeline: one bar per call,
in the eager task's "Child calls" deck and, when ``FLYTEKIT_EXT_TIMELINE_DIR`` names a folder, in an HTML
file there, so gathered calls can be seen to overlap.
"""

from __future__ import annotations

import asyncio
import datetime
import html
import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Dict, List, Optional, Type

TIMELINE_DIR_ENV = "FLYTEKIT_EXT_TIMELINE_DIR"

_STYLE = (
    "<style>.fxt{font:13px sans-serif;padding-right:28px}.fxt .row{display:flex;align-items:center;height:20px}"
    ".fxt .label{width:220px;overflow:hidden;white-space:nowrap;text-overflow:ellipsis;padding-right:8px}"
    ".fxt .track{position:relative;flex:1;height:14px;background:#f2f2f2}"
    ".fxt .bar{position:absolute;top:0;height:14px;border-radius:2px}"
    ".fxt .axis{position:relative;margin-left:228px;height:18px;color:#666}"
    ".fxt .axis span{position:absolute;transform:translateX(-50%)}</style>"
)
_OUTCOME_COLOURS = {"succeeded": "#3a9d5d", "failed": "#d0453a", "cancelled": "#9a9a9a", "running": "#4f7fd0"}


@dataclass
class CallRecord:
    """One call of the eager body; times in seconds since the run started."""

    number: int
    name: str
    group: Optional[str]
    started: float
    ended: Optional[float] = None
    outcome: str = "running"
    error: str = ""


class CallLog:
    """The calls of one local eager run, recorded from whichever thread or task makes them."""

    def __init__(self, owner: str) -> None:
        self.owner = owner
        self.wall_start = datetime.datetime.now(datetime.timezone.utc)
        self._origin = time.perf_counter()
        self._lock = threading.Lock()
        self.records: List[CallRecord] = []

    def elapsed(self) -> float:
        return time.perf_counter() - self._origin

    def started(self, name: str, group: Optional[str]) -> CallRecord:
        with self._lock:
            record = CallRecord(len(self.records), name, group, self.elapsed())
            self.records.append(record)
        return record

    def ended(self, record: CallRecord, error: Optional[BaseException]) -> None:
        record.ended = self.elapsed()
        if error is None:
            record.outcome = "succeeded"
        elif isinstance(error, asyncio.CancelledError):
            record.outcome = "cancelled"
        else:
            record.outcome = "failed"
            record.error = f"{type(error).__name__}: {str(error).splitlines()[-1] if str(error) else ''}"

    def recording(self, name: str, group: Optional[str]) -> Recording:
        """``with log.recording(name, group):`` records one call around the block."""
        return Recording(self, self.started(name, group))

    def counts(self) -> Dict[str, int]:
        counted = {"running": 0, "succeeded": 0, "failed": 0, "cancelled": 0}
        with self._lock:
            for record in self.records:
                counted[record.outcome] += 1
        return counted

    # --- the picture ----------------------------------------------------------------------------------------

    def timeline_html(self) -> str:
        """One bar per call, on a common time axis, in start order; a page of its own or a deck's body."""
        with self._lock:
            records = sorted(self.records, key=lambda r: (r.started, r.number))
        end = max([self.elapsed() if r.ended is None else r.ended for r in records] + [1e-3])
        escaped: Dict[str, str] = {}  # most calls repeat a few names

        def text(value: str) -> str:
            found = escaped.get(value)
            if found is None:
                found = escaped[value] = html.escape(value)
            return found

        rows = []
        for record in records:
            finished = record.ended if record.ended is not None else end
            name, group = text(record.name), text(record.group or "")
            label = f"[{group}] {name}" if group else name
            error = f" ({text(record.error)})" if record.error else ""
            rows.append(
                f'<div class="row"><div class="label">{label}</div><div class="track"><div class="bar" '
                f'data-name="{name}" data-group="{group}" data-start="{record.started:.6f}" '
                f'data-end="{finished:.6f}" data-outcome="{record.outcome}" '
                f'title="{label}: {record.outcome}, {record.started:.3f}s to {finished:.3f}s{error}" '
                f'style="left:{100 * record.started / end:.3f}%;'
                f"width:{max(100 * (finished - record.started) / end, 0.3):.3f}%;"
                f'background:{_OUTCOME_COLOURS[record.outcome]}"></div></div></div>'
            )
        ticks = "".join(f'<span style="left:{25 * i}%">{end * i / 4:.2f}s</span>' for i in range(5))
        counts = ", ".join(f"{n} {outcome}" for outcome, n in self.counts().items() if n)
        return (
            f'{_STYLE}<div class="fxt"><h3>{text(self.owner)}: {len(records)} child calls ({counts}), '
            f"{end:.3f}s, started {self.wall_start:%Y-%m-%d %H:%M:%S} UTC</h3>"
            f'{"".join(rows)}<div class="axis">{ticks}</div></div>'
        )

    def write_timeline(self, folder: str) -> Path:
        """Write the timeline as a page of its own in ``folder``; returns its path."""
        name = re.sub(r"[^A-Za-z0-9_.-]+", "-", self.owner)
        path = Path(folder) / f"{name}-{self.wall_start:%Y%m%d-%H%M%S-%f}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(self.owner)}</title></head>"
            f"<body>{self.timeline_html()}</body></html>",
            encoding="utf-8",
        )
        return path


class Recording:
    """Ends its call's record when the block it is the ``with`` of ends, however it ends."""

    __slots__ = ("_log", "_record")

    def __init__(self, log: CallLog, record: CallRecord) -> None:
        self._log, self._record = log, record

    def __enter__(self) -> CallRecord:
        return self._record

    def __exit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        self._log.ended(self._record, exc)


def timeline_folder() -> Optional[str]:
    """Where local eager runs write their timelines, if anywhere (``FLYTEKIT_EXT_TIMELINE_DIR``)."""
    return os.environ.get(TIMELINE_DIR_ENV) or None
