"""The worker threads that run synchronous task bodies for async callers.

A thread pool whose threads are daemons. A synchronous body cannot be interrupted once it runs, and the
standard library's pools join their threads when the interpreter exits, so after Ctrl-C a process would
wait for every body still running (half a minute for a half-minute body). With daemon threads the process
exits at once; everything flytekit_ext starts still waits for its bodies in normal operation (see
:mod:`flytekit_ext._core.loops`), so only an interrupted process leaves them, and it leaves with them.
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Executor, Future
from typing import Any, Callable, Optional, Set, Tuple, TypeVar

T = TypeVar("T")

# An item of work, and whether its submitter counted on an idle thread for it (took an idle token).
_Work = Tuple["Future[Any]", Callable[..., Any], Tuple[Any, ...], dict, bool]


class DaemonThreadPool(Executor):
    """At most ``max_workers`` daemon threads; a thread idle for ``idle_seconds`` ends."""

    def __init__(self, max_workers: int, name: str, idle_seconds: float = 30.0) -> None:
        self._max_workers = max_workers
        self._name = name
        self._idle_seconds = idle_seconds
        self._queue: queue.SimpleQueue[Optional[_Work]] = queue.SimpleQueue()
        # At most one token per idle thread: a thread adds one when it goes idle after work, and whoever ends that
        # idleness takes one (a submitter counting on an idle thread, the thread itself when it takes work nobody
        # counted on, or when it ends). Fewer tokens than idle threads only means a thread more is started.
        self._idle = threading.Semaphore(0)
        self._lock = threading.Lock()
        self._threads: Set[threading.Thread] = set()
        self._shutdown = False

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()
        with self._lock:
            if self._shutdown:
                raise RuntimeError("cannot schedule work on a pool that was shut down")
            counted_on_idle = self._idle.acquire(blocking=False)
            self._queue.put((future, fn, args, kwargs, counted_on_idle))
            if not counted_on_idle and len(self._threads) < self._max_workers:
                thread = threading.Thread(target=self._work, name=f"{self._name}-{len(self._threads)}", daemon=True)
                self._threads.add(thread)
                thread.start()
        return future

    def _work(self) -> None:
        try:
            while True:
                try:
                    item = self._queue.get(timeout=self._idle_seconds)
                except queue.Empty:
                    # Idle: end, unless a submitter counted on this thread (took its idle token) meanwhile. Decided
                    # under the submitters' lock, and no longer counted among the threads from then on: a submitter
                    # that found the pool full of threads about to end would start none, and its work would wait
                    # for ever.
                    with self._lock:
                        if self._idle.acquire(blocking=False):
                            self._threads.discard(threading.current_thread())
                            return
                    continue
                if item is None:
                    return
                future, fn, args, kwargs, counted_on_idle = item
                if not counted_on_idle:
                    # Work nobody counted an idle thread for (the pool was full when it came): this thread is no
                    # longer idle, so it takes its token back. Left, the token would outlive the threads, and
                    # work submitted once they had all ended would count on a thread that does not exist.
                    self._idle.acquire(blocking=False)
                if future.set_running_or_notify_cancel():
                    try:
                        result = fn(*args, **kwargs)
                    except BaseException as error:  # noqa: BLE001 - delivered to whoever waits on the future
                        future.set_exception(error)
                    else:
                        future.set_result(result)
                del item, future, fn, args, kwargs  # nothing of a finished call lives on in an idle thread
                self._idle.release()
        finally:
            with self._lock:
                self._threads.discard(threading.current_thread())

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            self._shutdown = True
            threads = list(self._threads)
        for _ in threads:
            self._queue.put(None)
        if wait:
            for thread in threads:
                thread.join()

    @property
    def threads(self) -> int:
        """How many worker threads exist now."""
        return len(self._threads)
