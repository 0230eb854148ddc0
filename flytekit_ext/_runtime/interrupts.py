"""Ctrl-C and SIGTERM during a local run: say what was interrupted, stop at once, wait for nothing.

In normal operation everything a local run starts is waited for when the run ends, synchronous bodies on
worker threads included (they cannot be stopped, only awaited). An interrupt is the exception: the user
wants the process to stop, and waiting for a body that runs another half minute is what they are trying to
avoid. While a local run is active on the main thread, :func:`guarded` installs handlers for SIGINT and
SIGTERM that print one line naming what is running, mark the process as interrupted (so nothing waits for
worker threads any more; they are daemons and end with the process), then do what the previous handler
would have done: asyncio's handler cancels the main task, Python's default raises ``KeyboardInterrupt``,
and a SIGTERM with no handler of its own ends the process with ``SystemExit(143)``.
"""

from __future__ import annotations

import signal
import sys
import threading
from contextlib import contextmanager
from types import FrameType
from typing import Any, Callable, Dict, Iterator, List, Optional

_SIGNALS = (signal.SIGINT, signal.SIGTERM)

_interrupted = threading.Event()
_lock = threading.Lock()
_active: List[Callable[[], str]] = []  # what each guarded run says it is doing, outermost first
_previous: Dict[int, Any] = {}
_blocking_waits = 0  # the main thread waits for a worker thread and no event loop can wake it


def interrupted() -> bool:
    """Whether the process was interrupted during a local run: stop waiting for worker threads."""
    return _interrupted.is_set()


def _on_signal(signum: int, frame: Optional[FrameType]) -> None:
    if not _interrupted.is_set():
        _interrupted.set()
        with _lock:
            running = "; ".join(describe() for describe in _active) or "a local run"
        print(f"flytekit_ext: {signal.Signals(signum).name}: stopping {running}", file=sys.stderr, flush=True)
    previous = _previous.get(signum)
    if callable(previous):
        previous(signum, frame)  # asyncio's handler cancels the main task; Python's raises KeyboardInterrupt
    elif previous == signal.SIG_DFL and signum == signal.SIGTERM:
        raise SystemExit(128 + signum)
    if _blocking_waits:
        # The main thread is blocked waiting for a synchronous body; an event loop cannot get to the
        # cancellation its handler asked for until that body ends, so stop the wait itself.
        raise KeyboardInterrupt


@contextmanager
def guarded(describe: Callable[[], str]) -> Iterator[None]:
    """While the block runs on the main thread, SIGINT and SIGTERM interrupt it as described above.

    Nested and concurrent guards share one installation; the outermost restores the previous handlers and
    clears the interrupted mark, so a process that caught the interrupt can run again.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    with _lock:
        first = not _active
        _active.append(describe)
        if first:
            for signum in _SIGNALS:
                if signal.getsignal(signum) is not _on_signal:  # still ours if a restore could not happen
                    _previous[signum] = signal.getsignal(signum)
                signal.signal(signum, _on_signal)
    try:
        yield
    finally:
        with _lock:
            _active.remove(describe)
            last = not _active
            if last:
                try:
                    for number, handler in _previous.items():
                        signal.signal(number, handler if handler is not None else signal.SIG_DFL)
                except ValueError:
                    pass  # ended on another thread (a map closed by the garbage collector): ours stay, chaining
                else:
                    _previous.clear()
                _interrupted.clear()


@contextmanager
def blocking_wait() -> Iterator[None]:
    """Mark a wait of the main thread for a worker thread, which only an exception can stop early."""
    global _blocking_waits
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _blocking_waits += 1
    try:
        yield
    finally:
        _blocking_waits -= 1
