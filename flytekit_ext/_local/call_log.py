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
import operator
import os
import re
import time
from pathlib import Path
from types import TracebackType
from typing import Dict, List, Optional, Tuple, Type

TIMELINE_DIR_ENV = "FLYTEKIT_EXT_TIMELINE_DIR"

# One grid row per call: its label, and its bar on a track. The stylesheet places each bar from its own start and
# end (``--s``, ``--e``) and the run's length (``--end``), so a row formats each of its times once: a run can have
# thousands of rows, rendered as it ends.
_STYLE = (
    "<style>.fxt{font:13px sans-serif;padding-right:28px}"
    ".fxt .rows{display:grid;grid-template-columns:220px 1fr;column-gap:8px;row-gap:6px;align-items:center}"
    ".fxt .rows>b{font-weight:normal;overflow:hidden;white-space:nowrap;text-overflow:ellipsis}"
    ".fxt .rows>p{position:relative;height:14px;margin:0;background:#f2f2f2}"
    ".fxt .rows>p>i{position:absolute;top:0;height:14px;border-radius:2px;left:calc(100% * var(--s) / var(--end));"
    "width:max(0.3%, calc(100% * (var(--e) - var(--s)) / var(--end)))}"
    ".fxt .succeeded{background:#3a9d5d}.fxt .failed{background:#d0453a}.fxt .cancelled{background:#9a9a9a}"
    ".fxt .running{background:#4f7fd0}"
    ".fxt .axis{position:relative;margin-left:228px;height:18px;color:#666}"
    ".fxt .axis span{position:absolute;transform:translateX(-50%)}</style>"
)


class CallRecord:
    """One call of the eager body, times in seconds since the run started (at ``origin`` on the
    ``time.perf_counter`` clock); ``with record:`` around the call ends it however the call ends."""

    __slots__ = ("origin", "name", "group", "started", "ended", "outcome", "error")

    def __init__(self, origin: float, name: str, group: Optional[str]) -> None:
        self.origin = origin
        self.name = name
        self.group = group
        self.started = time.perf_counter() - origin
        self.ended: Optional[float] = None
        self.outcome = "running"
        self.error = ""

    def __enter__(self) -> CallRecord:
        return self

    def __exit__(
        self, exc_type: Optional[Type[BaseException]], error: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        self.ended = time.perf_counter() - self.origin
        if error is None:
            self.outcome = "succeeded"
        elif isinstance(error, asyncio.CancelledError):
            self.outcome = "cancelled"
        else:
            self.outcome = "failed"
            self.error = f"{type(error).__name__}: {str(error).splitlines()[-1] if str(error) else ''}"


class CallLog:
    """The calls of one local eager run, recorded from whichever thread or task makes them.

    No lock: appending to a list is one step under the GIL, and readers copy the list before they read it.
    """

    def __init__(self, owner: str) -> None:
        self.owner = owner
        self.wall_start = datetime.datetime.now(datetime.timezone.utc)
        self._origin = time.perf_counter()
        self.records: List[CallRecord] = []

    def elapsed(self) -> float:
        return time.perf_counter() - self._origin

    def recording(self, name: str, group: Optional[str]) -> CallRecord:
        """``with log.recording(name, group):`` records one call around the block."""
        record = CallRecord(self._origin, name, group)
        self.records.append(record)
        return record

    def counts(self) -> Dict[str, int]:
        counted = {"running": 0, "succeeded": 0, "failed": 0, "cancelled": 0}
        for record in list(self.records):
            counted[record.outcome] += 1
        return counted

    # --- the picture ----------------------------------------------------------------------------------------

    def timeline_html(self, most: Optional[int] = None) -> str:
        """One bar per call, on a common time axis, in start order; a page of its own or a deck's body.

        With more than ``most`` calls, a bar for one call in every ``n`` (so that at most ``most`` are drawn, across
        the whole run) and for every call that did not succeed.
        """
        records = sorted(self.records, key=_started)  # stable: calls that started together, in the order they did
        end = max([self.elapsed() if r.ended is None else r.ended for r in records] + [1e-3])
        every = 1 if most is None else -(-len(records) // most)
        drawn = (
            records if every == 1 else [r for i, r in enumerate(records) if not i % every or r.outcome != "succeeded"]
        )
        escaped: Dict[str, str] = {}  # most calls repeat a few names

        def text(value: str) -> str:
            found = escaped.get(value)
            if found is None:
                found = escaped[value] = html.escape(value)
            return found

        # What depends only on a call's name and group is made once for all its calls.
        heads: Dict[Tuple[str, Optional[str]], Tuple[str, str]] = {}
        rows = []
        for record in drawn:
            key = (record.name, record.group)
            head = heads.get(key)
            if head is None:
                name, group = text(record.name), text(record.group or "")
                label = f"[{group}] {name}" if group else name
                head = heads[key] = (f'<b>{label}</b><p><i data-name="{name}" data-group="{group}" ', label)
            start = f"{record.started:.6f}"
            stop = f"{end if record.ended is None else record.ended:.6f}"
            outcome = record.outcome
            # A tooltip says how a call that did not succeed ended (the bar's colour says that it did not).
            note = f' title="{head[1]}: {outcome} ({text(record.error)})"' if record.error else ""
            rows.append(
                f'{head[0]}data-start="{start}" data-end="{stop}" data-outcome="{outcome}" class="{outcome}" '
                f'style="--s:{start};--e:{stop}"{note}></i></p>'
            )
        ticks = "".join(f'<span style="left:{25 * i}%">{end * i / 4:.2f}s</span>' for i in range(5))
        counts = ", ".join(f"{n} {outcome}" for outcome, n in self.counts().items() if n)
        sampled = (
            ""
            if every == 1
            else f"<p>{len(drawn)} of them drawn: one in {every}, and each that did not succeed. "
            f"<code>{TIMELINE_DIR_ENV}=&lt;folder&gt;</code> writes a page that draws them all.</p>"
        )
        return (
            f'{_STYLE}<div class="fxt" style="--end:{end:.6f}"><h3>{text(self.owner)}: {len(records)} child calls '
            f"({counts}), {end:.3f}s, started {self.wall_start:%Y-%m-%d %H:%M:%S} UTC</h3>{sampled}"
            f'<div class="rows">{"".join(rows)}</div><div class="axis">{ticks}</div></div>'
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


_started = operator.attrgetter("started")


def timeline_folder() -> Optional[str]:
    """Where local eager runs write their timelines, if anywhere (``FLYTEKIT_EXT_TIMELINE_DIR``)."""
    return os.environ.get(TIMELINE_DIR_ENV) or None
