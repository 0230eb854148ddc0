"""Ordered, bounded windows of map items: start items while fewer than ``limit`` are in flight, yield
results in input order, and end every started item before the map ends.

Items run in one of two ways, each with a synchronous and an asynchronous consumer:

* as ``concurrent.futures`` futures, on worker threads or worker processes (:func:`future_results`,
  :func:`future_results_async`);
* as asyncio tasks on the running loop (:func:`task_results`), for async tasks and for child executions.

When the map stops early — its first failure without ``return_exceptions``, the consumer leaving, a
cancellation — no further item starts, items not yet started are dropped, and the map ends once the started
ones have stopped: asyncio tasks are cancelled and awaited; a thread's item cannot be stopped and is waited
for; a process's item is stopped with its process (``stop_started``). Only an interrupted process stops
waiting.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, wait
from typing import Any, AsyncIterator, Callable, Deque, Iterator, Optional, Tuple

from flytekit_ext._core.loops import start_in_worker_thread
from flytekit_ext._core.signals import blocking_wait, guarded, interrupted
from flytekit_ext._patterns.map_pacing import QUICK_ITEM_S, Pacing, timed
from flytekit_ext._patterns.map_progress import Progress

Arguments = Tuple[Any, ...]
_END: Any = object()


class FirstFailure:
    """Set by the first item that fails, from whichever thread finishes it; a future to wait on with the head."""

    def __init__(self) -> None:
        self.future: Future[BaseException] = Future()
        self._lock = threading.Lock()

    def watch(self, item: Future[Any]) -> None:
        item.add_done_callback(self._on_done)

    def _on_done(self, item: Future[Any]) -> None:
        if item.cancelled():
            return
        error = item.exception()
        if error is not None:
            with self._lock:
                if not self.future.done():
                    self.future.set_result(error)


class FutureItems:
    """How a map starts its items as futures, and how it stops the ones that started."""

    def __init__(
        self,
        start: Callable[[Arguments], Future[Any]],
        run_here: Optional[Callable[[Arguments], Tuple[Any, bool]]] = None,
        stop_started: Optional[Callable[[], None]] = None,
        close: Optional[Callable[[], None]] = None,
        open: Optional[Callable[[], None]] = None,
    ) -> None:
        self.start = start
        #: Starts what runs the items (workers that belong to the map), as the map starts.
        self.open = open
        #: Runs an item on the consumer's own thread, when the consumer would otherwise only wait for it. Items
        #: that can run here are timed: this and their futures give ``(value, quick)`` (see ``map_pacing``).
        self.run_here = run_here
        #: Stops items already running (processes can be stopped); ``None``: they are waited for.
        self.stop_started = stop_started
        #: Ends what runs the items (workers that belong to the map), once every item has ended.
        self.close = close

    @property
    def timed(self) -> bool:
        return self.run_here is not None

    @classmethod
    def on_threads(cls, run: Callable[[Arguments], Any]) -> FutureItems:
        """Items that ``run`` runs on worker threads, or on the consumer's thread while they are quick."""
        timed_run = timed(run)
        return cls(lambda arguments: start_in_worker_thread(timed_run, arguments), run_here=timed_run)


def _done_signal(future: Future[Any]) -> asyncio.Future[None]:
    """An asyncio future that completes when ``future`` does; cancelling it leaves ``future`` alone.

    (``asyncio.wrap_future`` would cancel the item, or the first-failure mark, when the wait for it ends.)
    """
    loop = asyncio.get_running_loop()
    signal: asyncio.Future[None] = loop.create_future()

    def settle() -> None:
        if not signal.done():
            signal.set_result(None)

    def on_done(_: Future[Any]) -> None:
        try:
            loop.call_soon_threadsafe(settle)
        except RuntimeError:
            pass  # the loop is closed: nobody waits any more

    future.add_done_callback(on_done)
    return signal


def _outcome(future: Future[Any], timed: bool) -> Tuple[Any, Optional[BaseException], bool]:
    """A finished item's value, its error, and whether it was quick (see :data:`QUICK_ITEM_S`)."""
    error = future.exception()
    if error is not None:
        return None, error, False
    if timed:
        value, quick = future.result()
        return value, None, quick
    return future.result(), None, False


def _run_here(
    run: Callable[[Arguments], Tuple[Any, bool]], arguments: Arguments
) -> Tuple[Any, Optional[BaseException], bool]:
    try:
        value, quick = run(arguments)
    except Exception as raised:  # noqa: BLE001 - an item's error is its result
        return None, raised, False
    return value, None, quick


class _FutureWindow:
    """The items of one map run as futures: the window in flight, in input order, and its first failure."""

    def __init__(
        self, items: FutureItems, arguments: Iterator[Arguments], limit: Optional[int], return_exceptions: bool
    ) -> None:
        self.items = items
        self.arguments = arguments
        self.limit = limit
        self.pending: Deque[Tuple[Future[Any], Arguments]] = deque()
        self.failure = None if return_exceptions else FirstFailure()
        self.exhausted = False

    def running(self) -> int:
        return sum(1 for future, _ in self.pending if not future.done())

    def fill(self, limit: Optional[int] = None) -> bool:
        """Start items until ``limit`` (the map's unless smaller) are in flight, none after a failure; whether
        any is left to wait for."""
        failure = self.failure
        if limit is None or (self.limit is not None and self.limit < limit):
            limit = self.limit
        while not self.exhausted and (limit is None or len(self.pending) < limit):
            if failure is not None and failure.future.done():
                break
            next_arguments = next(self.arguments, _END)
            if next_arguments is _END:
                self.exhausted = True
                break
            future = self.items.start(next_arguments)
            if failure is not None:
                failure.watch(future)
            self.pending.append((future, next_arguments))
        return bool(self.pending)

    def raise_failure(self) -> None:
        """Raise the first failure, if an item has failed (without ``return_exceptions``)."""
        if self.failure is not None and self.failure.future.done():
            raise self.failure.future.result()

    def started(self) -> list[Future[Any]]:
        """Drop what has not started and stop what can be stopped; the started items left to wait for.

        Stopping worker processes is quick, so it happens on an interrupt too; a thread's item is only waited
        for, and not at all once the process is being interrupted.
        """
        started = [future for future, _ in self.pending if not future.cancel()]
        self.pending.clear()
        if started and self.items.stop_started is not None:
            self.items.stop_started()
        return [] if interrupted() else started


def future_results(
    items: FutureItems,
    arguments: Iterator[Arguments],
    limit: Optional[int],
    return_exceptions: bool,
    label: str,
    show_progress: Callable[[], Progress],
) -> Iterator[Any]:
    """Results of items run as futures, for a synchronous consumer, paced by :class:`~.map_pacing.Pacing` when
    the consumer can run items itself (threads; a process's items always run in the process)."""
    if items.open is not None:
        items.open()
    progress = show_progress()
    window = _FutureWindow(items, arguments, limit, return_exceptions)
    run_here = items.run_here
    pacing = Pacing(window.limit) if run_here is not None else None
    with guarded(lambda: f"map of {label} ({window.running()} items running)"):
        try:
            while True:
                if pacing is not None and pacing.inline and run_here is not None and not window.pending:
                    next_arguments = next(window.arguments, _END)
                    if next_arguments is _END:
                        break
                    value, error, quick = _run_here(run_here, next_arguments)
                else:
                    if not (window.pending if pacing is not None and pacing.inline else window.fill(_size(pacing))):
                        break
                    head, head_arguments = window.pending[0]
                    window.raise_failure()  # another item failed: stop before running the head here
                    if (
                        pacing is not None
                        and not pacing.inline
                        and _window_full(window, pacing.window)
                        and not _done_soon(head, window)
                    ):
                        pacing.grow()  # slow, or waiting for a later item: let more run
                        continue
                    if run_here is not None and head.cancel():
                        value, error, quick = _run_here(run_here, head_arguments)  # not started yet: run it here
                    else:
                        _wait_for(head, window)
                        value, error, quick = _outcome(head, items.timed)
                    window.pending.popleft()
                if pacing is not None:
                    pacing.finished(quick)
                progress.advance()
                if error is not None and not return_exceptions:
                    raise error
                yield error if error is not None else value
        finally:
            started = window.started()
            if started:
                with blocking_wait():
                    wait(started)
            if items.close is not None:
                items.close()
            progress.stop()


def _size(pacing: Optional[Pacing]) -> Optional[int]:
    return pacing.window if pacing is not None else None


def _window_full(window: _FutureWindow, size: Optional[int]) -> bool:
    return size is not None and len(window.pending) >= size and not window.exhausted


def _done_soon(head: Future[Any], window: _FutureWindow) -> bool:
    """Wait up to :data:`~.map_pacing.QUICK_ITEM_S` for ``head``; whether it is done (a failure raises)."""
    with blocking_wait():
        waited_for = (head,) if window.failure is None else (head, window.failure.future)
        wait(waited_for, timeout=QUICK_ITEM_S, return_when=FIRST_COMPLETED)
    window.raise_failure()
    return head.done()


def _wait_for(head: Future[Any], window: _FutureWindow) -> None:
    """Wait until ``head`` is done, or another item failed (which raises)."""
    with blocking_wait():
        if window.failure is None:
            head.exception()  # waits
        else:
            wait((head, window.failure.future), return_when=FIRST_COMPLETED)
    window.raise_failure()


async def future_results_async(
    items: FutureItems,
    arguments: Iterator[Arguments],
    limit: Optional[int],
    return_exceptions: bool,
    label: str,
    show_progress: Callable[[], Progress],
) -> AsyncIterator[Any]:
    """Results of items run as futures, for an asynchronous consumer: the event loop is never blocked."""
    if items.open is not None:
        items.open()
    progress = show_progress()
    window = _FutureWindow(items, arguments, limit, return_exceptions)
    failed = _done_signal(window.failure.future) if window.failure is not None else None
    with guarded(lambda: f"map of {label} ({window.running()} items running)"):
        try:
            while window.fill():
                head = window.pending[0][0]
                if not head.done():
                    head_done = _done_signal(head)
                    await asyncio.wait(
                        [head_done] if failed is None else [head_done, failed], return_when=FIRST_COMPLETED
                    )
                window.raise_failure()
                value, error, _ = _outcome(head, items.timed)
                window.pending.popleft()
                progress.advance()
                if error is not None and not return_exceptions:
                    raise error
                yield error if error is not None else value
        finally:
            started = window.started()
            if started:
                # Shielded: the consumer may be cancelled, but what it started must still end first.
                await asyncio.shield(asyncio.wait([_done_signal(future) for future in started]))
            if items.close is not None:
                items.close()
            progress.stop()


async def task_results(
    start: Callable[[Arguments], Any],
    arguments: Iterator[Arguments],
    limit: Optional[int],
    return_exceptions: bool,
    label: str,
    show_progress: Callable[[], Progress],
) -> AsyncIterator[Any]:
    """Results of items run as asyncio tasks (``start`` returns the awaitable of one item's call)."""
    progress = show_progress()
    pending: Deque[asyncio.Future[Any]] = deque()
    first_failure: asyncio.Future[BaseException] = asyncio.get_running_loop().create_future()

    def on_done(item: asyncio.Future[Any]) -> None:
        if return_exceptions or item.cancelled() or first_failure.done():
            return
        error = item.exception()
        if error is not None:
            first_failure.set_result(error)

    def describe() -> str:
        return f"map of {label} ({sum(not item.done() for item in pending)} items running)"

    exhausted = False
    with guarded(describe):
        try:
            while True:
                while not exhausted and not first_failure.done() and (limit is None or len(pending) < limit):
                    next_arguments = next(arguments, _END)
                    if next_arguments is _END:
                        exhausted = True
                        break
                    item = asyncio.ensure_future(start(next_arguments))
                    item.add_done_callback(on_done)
                    pending.append(item)
                if not pending:
                    return
                head = pending[0]
                if not head.done():
                    await asyncio.wait((head, first_failure), return_when=asyncio.FIRST_COMPLETED)
                if first_failure.done():
                    raise first_failure.result()
                if not head.done():
                    continue
                pending.popleft()
                progress.advance()
                error = head.exception()
                yield error if error is not None else head.result()
        finally:
            # Nothing this map started outlives it: cancel what runs, then wait until all of it has stopped.
            for item in pending:
                item.cancel()
            if pending:
                await asyncio.wait(pending)
            progress.stop()
