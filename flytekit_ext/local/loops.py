"""Running coroutines from synchronous code, and synchronous code from coroutines.

Three situations, each with the cheapest correct answer:

* a coroutine that never suspends (literal conversion through synchronous type transformers) is driven by
  hand: no event loop at all;
* a coroutine that suspends, called from a thread with no running loop, runs on that thread's own loop;
* called from a thread whose loop is already running (a synchronous task called inside async code), it runs
  on a helper thread's loop, because a running loop cannot be re-entered.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import functools
import threading
from typing import Any, Awaitable, Callable, Coroutine, Generator, TypeVar

T = TypeVar("T")

_thread_state = threading.local()


def _own_loop() -> asyncio.AbstractEventLoop:
    loop: asyncio.AbstractEventLoop | None = getattr(_thread_state, "loop", None)
    if loop is None or loop.is_closed():
        loop = asyncio.new_event_loop()
        _thread_state.loop = loop
    return loop


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


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


class _Resume:
    """Continues, under a real event loop, a coroutine that was started by hand and then suspended."""

    __slots__ = ("_coro", "_first")

    def __init__(self, coro: Coroutine[Any, Any, Any], first: Any) -> None:
        self._coro = coro
        self._first = first

    def __await__(self) -> Generator[Any, Any, Any]:
        value = self._first
        while True:
            try:
                sent = yield value
            except GeneratorExit:
                self._coro.close()
                raise
            except BaseException as error:  # noqa: B902 - thrown in by the loop, e.g. cancellation
                try:
                    value = self._coro.throw(error)
                except StopIteration as done:
                    return done.value
            else:
                try:
                    value = self._coro.send(sent)
                except StopIteration as done:
                    return done.value


async def _await(awaitable: Awaitable[T]) -> T:
    return await awaitable


def drive(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion, without an event loop while it does not suspend.

    Only for coroutines that do not call event-loop functions before their first suspension (flytekit's
    synchronous type transformers, wrapped by ``TypeEngine.async_to_literal``).
    """
    try:
        first = coro.send(None)
    except StopIteration as done:
        return done.value
    return run_coroutine(_await(_Resume(coro, first)))


_worker_pool = concurrent.futures.ThreadPoolExecutor(max_workers=64, thread_name_prefix="flytekit-ext-worker")


async def in_worker_thread(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run blocking ``fn`` on a worker thread, with the caller's context, without blocking the event loop."""
    call = functools.partial(contextvars.copy_context().run, fn, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(_worker_pool, call)
