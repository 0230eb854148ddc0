"""Running coroutines from synchronous code, and synchronous code from coroutines.

* A coroutine run from a thread with no running loop runs on that thread's own loop (closed when the
  thread ends).
* Run from a thread whose loop is already running (synchronous code called inside async code), it runs on a
  helper thread's loop, because a running loop cannot be re-entered.
* Blocking code called from async code runs on a worker thread, with the caller's context. Such a call is
  structured: when the awaiting coroutine is cancelled, work not yet started is dropped and work already
  running is waited for (a thread cannot be stopped), so nothing it started outlives it. Only an interrupted
  process (:mod:`flytekit_ext._core.signals`) stops waiting.
"""

from __future__ import annotations

import asyncio
import atexit
import contextvars
import os
import threading
from concurrent.futures import Future
from typing import Any, Callable, Coroutine, Optional, TypeVar

from flytekit.loggers import logger

from flytekit_ext._core.signals import blocking_wait, interrupted
from flytekit_ext._core.workers import DaemonThreadPool

T = TypeVar("T")


class _OwnLoop:
    """A thread's own event loop, closed when the thread ends and its thread-local storage lets go of it."""

    __slots__ = ("loop",)

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()

    def close(self) -> None:
        if not self.loop.is_closed() and not self.loop.is_running():
            self.loop.close()

    __del__ = close


_thread_state = threading.local()


def _own_loop() -> asyncio.AbstractEventLoop:
    own: _OwnLoop | None = getattr(_thread_state, "own", None)
    if own is None or own.loop.is_closed():
        own = _thread_state.own = _OwnLoop()
        if threading.current_thread() is threading.main_thread():
            atexit.register(own.close)  # the main thread's storage outlives the interpreter's last chance
    return own.loop


#: The event loop running on this thread, if any: asyncio's variant that answers None instead of raising, used
#: as it is (no frame of ours around it), since every synchronous task call asks. (So patching asyncio's
#: function later does not reach this name.)
running_loop: Callable[[], Optional[asyncio.AbstractEventLoop]] = asyncio._get_running_loop


class _HelperLoop:
    """One event loop on a daemon thread, for coroutines started where a loop is already running."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()

    def _start(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="flytekit-ext-helper-loop", daemon=True).start()
                self._loop = loop
            return self._loop

    @property
    def loop(self) -> asyncio.AbstractEventLoop | None:
        return self._loop

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on the helper loop and wait for it; never called on that loop's own thread."""
        loop = self._loop or self._start()
        # run_coroutine_threadsafe schedules with a copy of the caller's context, so flytekit's context travels.
        future = asyncio.run_coroutine_threadsafe(coro, loop)
        try:
            with blocking_wait():
                return future.result()
        except BaseException:
            future.cancel()  # an interrupted wait: the coroutine is cancelled, not left running
            raise


_helper = _HelperLoop()


def run_coroutine(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion from synchronous code, wherever that code runs."""
    loop = running_loop()
    if loop is None:
        return _own_loop().run_until_complete(coro)
    if loop is _helper.loop:
        # Synchronous code on the helper loop's own thread (an item of a map of async tasks consumed from async
        # code): the helper loop cannot wait for itself, a worker thread's loop runs the coroutine.
        return off_loop_thread(run_coroutine, coro)
    return _helper.run(coro)


workers = DaemonThreadPool(max_workers=64, name="flytekit-ext-worker")


def _forget_after_fork() -> None:
    """In a forked child: the parent's loops and threads are not there (only the forking thread is), and the
    loops' selectors share the parent's file descriptions, so the child starts with loops and threads of its own."""
    global _thread_state, _helper, workers
    _thread_state = threading.local()
    _helper = _HelperLoop()
    workers = DaemonThreadPool(max_workers=64, name="flytekit-ext-worker")


os.register_at_fork(after_in_child=_forget_after_fork)


def off_loop_thread(fn: Callable[..., T], *args: Any) -> T:
    """Call ``fn`` here, unless this thread runs an event loop: then on a worker thread, waiting for it.

    A synchronous task called directly inside async code still blocks its caller, but its body does not run
    on the loop's thread, so it may use ``asyncio.run`` itself.
    """
    if running_loop() is None:
        return fn(*args)
    work = workers.submit(contextvars.copy_context().run, fn, *args)
    with blocking_wait():
        return work.result()


def start_in_worker_thread(fn: Callable[..., T], *args: Any) -> Future[T]:
    """Start ``fn(*args)`` on a worker thread, with the caller's context."""
    return workers.submit(contextvars.copy_context().run, fn, *args)


async def in_worker_thread(fn: Callable[..., T], *args: Any) -> T:
    """Run blocking ``fn`` on a worker thread, with the caller's context, without blocking the event loop.

    Cancelled while ``fn`` runs, this waits for ``fn`` to return before it raises ``CancelledError``.
    """
    work = start_in_worker_thread(fn, *args)
    try:
        return await asyncio.wrap_future(work)
    except asyncio.CancelledError:
        await settle(work, fn)
        raise


async def settle(work: Future[T], fn: Callable[..., Any]) -> T | None:
    """After a cancelled wait: drop ``work`` if it has not started, else wait for it and return its result.

    ``None`` if it never ran, failed (its error is logged: nobody else will see it), or the process was
    interrupted meanwhile.
    """
    if work.cancel() or interrupted():
        return None
    try:
        return await asyncio.shield(asyncio.wrap_future(work))
    except asyncio.CancelledError:
        return None  # cancelled again while waiting (an interrupt): stop waiting
    except Exception as error:  # noqa: BLE001 - the caller is gone; this is the only place it can be seen
        logger.warning(f"{getattr(fn, '__qualname__', fn)} failed after its caller was cancelled: {error!r}")
        return None
