#!/usr/bin/env python
"""Take the documentation's screenshots of a local eager run from real runs.

    python tools/docs_screenshots.py [--out docs/images]

Runs ``docs/examples/watched_run.py`` twice: once in a terminal (tmux), capturing the live view while the run
is in flight, and once with ``FLYTEKIT_EXT_TIMELINE_DIR`` set, for the timeline page it writes. Both are
rendered by a headless Chromium to PNG. Needs ``tmux`` and ``chromium`` (Debian: ``apt-get install tmux
chromium``) and flytekit_ext installed in the running interpreter.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "watched_run.py"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise SystemExit("docs_screenshots: no chromium on PATH")


def screenshot(page: Path, png: Path, size: str, scratch: Path) -> None:
    subprocess.run(
        [
            _chromium(),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={scratch / 'chromium'}",
            f"--window-size={size}",
            f"--screenshot={png}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )


def live_view_frame(scratch: Path) -> str:
    """The terminal's content (with its colours) at the busiest moment of a run in tmux."""
    session = f"fxt-{os.getpid()}"
    command = f"cd {ROOT} && {sys.executable} {EXAMPLE}; sleep 30"
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "96", "-y", "14", command], check=True)
    best, best_score = "", -1
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            frame = subprocess.run(
                ["tmux", "capture-pane", "-t", session, "-e", "-p"], capture_output=True, text=True, check=True
            ).stdout
            if "[0, 2, 4" in frame:  # the run has printed its result: it is over
                break
            score = frame.count("▶") + 5 * ("/8" in frame) + 3 * frame.count("✗")
            if score > best_score:
                best, best_score = frame, score
            time.sleep(0.1)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False)
    return best


def terminal_page(ansi: str, page: Path) -> None:
    from rich.console import Console
    from rich.text import Text

    console = Console(record=True, width=96, file=open(os.devnull, "w"), force_terminal=True)
    console.print(Text.from_ansi(ansi.rstrip("\n")))
    page.write_text(console.export_html(inline_styles=True), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        terminal_page(live_view_frame(scratch), scratch / "live.html")
        screenshot(scratch / "live.html", args.out / "live-view.png", "900,330", scratch)
        env = {**os.environ, "FLYTEKIT_EXT_TIMELINE_DIR": str(scratch / "timelines")}
        subprocess.run([sys.executable, str(EXAMPLE)], cwd=ROOT, env=env, check=True, capture_output=True)
        (timeline,) = (scratch / "timelines").glob("*.html")
        screenshot(timeline, args.out / "timeline.png", "1000,480", scratch)
    print(f"wrote {args.out / 'live-view.png'} and {args.out / 'timeline.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
