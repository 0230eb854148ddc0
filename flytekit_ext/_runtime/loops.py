"""Running coroutines from synchronous code, and synchronous code from coroutines.

* A coroutine run from a thread with no running loop runs on that thread's own loop.
* Run from a thread whose loop is already running (synchronous code called inside async code), it runs on a
  helper thread's loop, because a running loop cannot be re-entered.
* Blocking code called from async code runs on a worker thread, with the caller's context.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import functools
import threading
from typing import Any, Callable, Coroutine, TypeVar

T = TypeVar("T")

_thread_state = threading.local()


def _own_loop() -> asyncio.AbstractEventLoop:
    loop: asyncio.AbstractEventLoop | None = getattr(_thread_state, "loop", None)
    if loop is None or loop.is_closed():
        loop = asyncio.new_event_loop()
        _thread_state.loop = loop
    return loop


def _running_loop() -> asyncio.AbstractEventLoop | None:
    # The variant that answers None instead of raising: this runs on every synchronous task call.
    return asyncio._get_running_loop()


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

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        loop = self._loop or self._start()
        if _running_loop() is loop:
            raise RuntimeError("a coroutine cannot wait for itself on the helper loop")
        # run_coroutine_threadsafe schedules with a copy of the caller's context, so flytekit's context travels.
        return asyncio.run_coroutine_threadsafe(coro, loop).result()


_helper = _HelperLoop()


def run_coroutine(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion from synchronous code, wherever that code runs."""
    if _running_loop() is None:
        return _own_loop().run_until_complete(coro)
    return _helper.run(coro)


_worker_pool = concurrent.futures.ThreadPoolExecutor(max_workers=64, thread_name_prefix="flytekit-ext-worker")


def off_loop_thread(fn: Callable[..., T], *args: Any) -> T:
    """Call ``fn`` here, unless this thread runs an event loop: then on a worker thread, waiting for it.

    A synchronous task called directly inside async code still blocks its caller, but its body does not run
    on the loop's thread, so it may use ``asyncio.run`` itself.
    """
    if _running_loop() is None:
        return fn(*args)
    return _worker_pool.submit(contextvars.copy_context().run, fn, *args).result()


async def in_worker_thread(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run blocking ``fn`` on a worker thread, with the caller's context, without blocking the event loop."""
    call = functools.partial(contextvars.copy_context().run, fn, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(_worker_pool, call)
