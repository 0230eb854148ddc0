"""The one place that handles Ctrl-C and SIGTERM: say what was interrupted, clean up, stop at once.

In normal operation everything a run starts is waited for when the run ends, synchronous bodies on worker
threads included (they cannot be stopped, only awaited). An interrupt is the exception: the user wants the
process to stop, and waiting for a body that runs another half minute is what they are trying to avoid.

While a guarded block runs on the main thread (a local eager run, a map, an eager body on a backend),
:func:`guarded` installs handlers for SIGINT and SIGTERM. On a signal they print one line naming what is
running, mark the process as interrupted (nothing waits for worker threads any more; they are daemons and end
with the process), run each guard's clean-up (an eager body on a backend terminates its child executions), and
then stop the code where it is:

* SIGINT raises ``KeyboardInterrupt`` in the user's code, as Python's default handler does; left uncaught, it
  ends the process with status 130 and no traceback, the line printed having said what was stopped. flytekit
  installs a SIGINT handler of its own that ends the process with ``exit(1)``; its registered callbacks still
  run, but the interrupt stays a ``KeyboardInterrupt``. A handler the program installed itself is called instead.
* SIGTERM ends the process with ``SystemExit(143)`` unless the program installed a handler of its own, which
  is then called.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import Any, Callable, Dict, Iterator, List, Optional

from flytekit.loggers import logger

from flytekit_ext._flytekit_internals import flytekits_sigint_callbacks

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@dataclass(frozen=True)
class _Guard:
    describe: Callable[[], str]
    on_signal: Optional[Callable[[str], None]]


_interrupted = threading.Event()
_lock = threading.Lock()
_active: List[_Guard] = []  # outermost first
_previous: Dict[int, Any] = {}
_blocking_waits = 0  # the main thread waits for a worker thread and no event loop can wake it


def interrupted() -> bool:
    """Whether the process was interrupted during a guarded block: stop waiting for worker threads."""
    return _interrupted.is_set()


def _on_signal(signum: int, frame: Optional[FrameType]) -> None:
    name = signal.Signals(signum).name
    with _lock:
        guards = list(_active)
    if not _interrupted.is_set():
        _interrupted.set()
        running = "; ".join(guard.describe() for guard in guards) or "a local run"
        print(f"flytekit_ext: {name}: stopping {running}", file=sys.stderr, flush=True)
        for guard in reversed(guards):
            if guard.on_signal is not None:
                try:
                    guard.on_signal(name)
                except Exception as error:  # noqa: BLE001 - one clean-up failing must not stop the others or the exit
                    logger.error(f"flytekit_ext: clean-up after {name} failed: {error!r}")
    previous = _previous.get(signum)
    callbacks = flytekits_sigint_callbacks(previous)
    if callbacks is not None:
        for callback in callbacks:
            callback(signum, frame)
        raise _interrupt()
    if callable(previous) and previous is not signal.default_int_handler:
        previous(signum, frame)  # the program's own handler (asyncio's cancels the main task)
        if _blocking_waits:
            # The main thread is blocked waiting for a synchronous body: an event loop cannot get to what the
            # handler asked for until that body ends, so the wait itself stops.
            raise _interrupt()
        return
    if previous == signal.SIG_IGN:
        return
    if signum == signal.SIGTERM:
        raise SystemExit(128 + signum)
    raise _interrupt()


def _interrupt() -> KeyboardInterrupt:
    """The ``KeyboardInterrupt`` a SIGINT raises. Uncaught, it ends the process with status 130 and no traceback:
    the line printed already said what was stopped (other uncaught errors print as before)."""
    interrupt = KeyboardInterrupt()
    shown = sys.excepthook

    def excepthook(kind: Any, value: BaseException, traceback: Any) -> None:
        if value is not interrupt:
            shown(kind, value, traceback)

    sys.excepthook = excepthook
    return interrupt


@contextmanager
def guarded(describe: Callable[[], str], on_signal: Optional[Callable[[str], None]] = None) -> Iterator[None]:
    """While the block runs on the main thread, SIGINT and SIGTERM stop it as described above.

    ``describe`` says what is running, for the line printed; ``on_signal`` (given the signal's name) cleans up
    before the process stops. Nested and concurrent guards share one installation; the outermost restores the
    previous handlers and clears the interrupted mark, so a process that caught the interrupt can run again.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    guard = _Guard(describe, on_signal)
    with _lock:
        first = not _active
        _active.append(guard)
        if first:
            for signum in _SIGNALS:
                if signal.getsignal(signum) is not _on_signal:  # still ours if a restore could not happen
                    _previous[signum] = signal.getsignal(signum)
                signal.signal(signum, _on_signal)
    try:
        yield
    finally:
        with _lock:
            _active.remove(guard)
            if not _active:
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


def _forget_after_fork() -> None:
    """In a forked child (a process map's worker, a program's own fork): no guarded block runs there, so the
    handlers the parent had before its guard are the child's."""
    global _lock, _blocking_waits, _interrupted
    _lock = threading.Lock()
    _interrupted = threading.Event()
    _blocking_waits = 0
    _active.clear()
    for signum, handler in _previous.items():
        if signal.getsignal(signum) is _on_signal:
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
    _previous.clear()


os.register_at_fork(after_in_child=_forget_after_fork)
