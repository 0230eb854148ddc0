"""``flytekit_ext.map`` and ``flytekit_ext.map.aio``: a task over iterables, results in input order.

Locally the items run concurrently (async tasks on the event loop, sync tasks on worker threads); in an
eager task on a backend each item is a child execution; in a workflow body the call becomes an ArrayNode
(flytekit's ``map_task``). At most ``concurrency`` items are in flight (0: no bound) and inputs are read
lazily, so memory stays proportional to ``concurrency`` however long the input. Like the builtin ``map``,
several iterables are zipped and the shortest one ends the map.
"""

from __future__ import annotations

import asyncio
import sys
from collections import deque
from typing import Any, AsyncGenerator, Deque, Iterable, Iterator, Optional, Protocol, Union

from flytekit_ext._calls.route import runner_for
from flytekit_ext._patterns.array_node import array_node_call
from flytekit_ext._runtime.context import current_context
from flytekit_ext._runtime.loops import run_coroutine


class Mappable(Protocol):
    """A task, or a task with overrides."""

    short_name: str

    def aio(self, *args: Any, **kwargs: Any) -> Any: ...


def _check_concurrency(concurrency: int) -> None:
    if not isinstance(concurrency, int) or concurrency < 0:
        raise ValueError(f"map: concurrency must be an int >= 0 (0 means unbounded), got {concurrency!r}")


def _iterators(target: Mappable, label: str, iterables: tuple[Iterable[Any], ...]) -> tuple[Iterator[Any], ...]:
    """An iterator over each iterable, made now: something that cannot be iterated fails the map call itself."""
    task: Any = getattr(target, "task", target)  # an overridden task maps its task
    names = list(task.python_interface.inputs)
    if len(iterables) > len(names):
        raise TypeError(
            f"map '{label}' of task '{task.name}': one iterable per input ({', '.join(names)}), got {len(iterables)}"
        )
    iterators = []
    for name, iterable in zip(names, iterables):
        try:
            iterators.append(iter(iterable))
        except TypeError:
            raise TypeError(
                f"map '{label}' of task '{task.name}': the values for input '{name}' must be iterable, got "
                f"{type(iterable).__name__} {iterable!r}"
            ) from None
    return tuple(iterators)


class _Progress:
    """A rich progress bar on a terminal; nothing at all otherwise."""

    def __init__(self, label: str, iterables: tuple[Iterable[Any], ...]) -> None:
        self._bar: Any = None
        if not sys.stderr.isatty():
            return
        from rich.progress import Progress  # only on a terminal: rich's import is not free

        sizes = [len(it) for it in iterables if hasattr(it, "__len__")]  # type: ignore[arg-type]
        total = min(sizes) if len(sizes) == len(iterables) else None
        self._bar = Progress(transient=True)
        self._task_id = self._bar.add_task(label, total=total)
        self._bar.start()

    def advance(self) -> None:
        if self._bar is not None:
            self._bar.advance(self._task_id)

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()


async def _results(
    target: Mappable,
    iterables: tuple[Iterable[Any], ...],
    iterators: tuple[Iterator[Any], ...],
    label: str,
    concurrency: int,
    return_exceptions: bool,
) -> AsyncGenerator[Any, None]:
    limit = concurrency or None
    arguments = zip(*iterators)
    pending: Deque[asyncio.Future[Any]] = deque()
    first_failure: asyncio.Future[BaseException] = asyncio.get_running_loop().create_future()
    progress = _Progress(label, iterables)

    def on_done(item: asyncio.Future[Any]) -> None:
        progress.advance()
        if return_exceptions or item.cancelled() or first_failure.done():
            return
        error = item.exception()
        if error is not None:
            first_failure.set_result(error)

    exhausted = False
    try:
        while True:
            while not exhausted and (limit is None or len(pending) < limit):
                next_args = next(arguments, None)
                if next_args is None:
                    exhausted = True
                    break
                item = asyncio.ensure_future(target.aio(*next_args))
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
            error = head.exception()
            yield error if error is not None else head.result()
    finally:
        # Structured: nothing this map started outlives it.
        for item in pending:
            item.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
        progress.stop()


class _SyncResults(Iterator[Any]):
    """Drives the async results from synchronous code, one item per ``next``."""

    def __init__(self, results: AsyncGenerator[Any, None]) -> None:
        self._results = results
        self._closed = False

    def __next__(self) -> Any:
        if self._closed:
            raise StopIteration
        try:
            return run_coroutine(self._results.__anext__())
        except StopAsyncIteration:
            self._closed = True
            raise StopIteration from None
        except BaseException:
            self._closed = True
            raise

    def close(self) -> None:
        """Stop early: cancel the items still in flight."""
        if not self._closed:
            self._closed = True
            run_coroutine(self._results.aclose())

    def __del__(self) -> None:
        if not self._closed:
            try:
                self.close()
            except Exception:  # noqa: BLE001 - interpreter shutdown or a loop already gone
                pass


class Map:
    """``map(task, *iterables, group_name=None, concurrency=0, return_exceptions=True)``; ``map.aio(...)``."""

    def __call__(
        self,
        target: Mappable,
        *iterables: Iterable[Any],
        group_name: Optional[str] = None,
        concurrency: int = 0,
        return_exceptions: bool = True,
    ) -> Union[Iterator[Any], Any]:
        """An iterator of results in input order; with ``return_exceptions`` a failed item yields its error.

        Without ``return_exceptions`` the first failure raises and the items still running are cancelled. In
        a workflow body the result is the ArrayNode's promise of the whole list.
        """
        _check_concurrency(concurrency)
        if runner_for(current_context()).in_workflow_body:
            return array_node_call(target, iterables, concurrency)
        return _SyncResults(
            self.aio(
                target, *iterables, group_name=group_name, concurrency=concurrency, return_exceptions=return_exceptions
            )
        )

    def aio(
        self,
        target: Mappable,
        *iterables: Iterable[Any],
        group_name: Optional[str] = None,
        concurrency: int = 0,
        return_exceptions: bool = True,
    ) -> AsyncGenerator[Any, None]:
        """The same as an async iterator, for ``async for`` in async and eager tasks."""
        _check_concurrency(concurrency)
        if not iterables:
            raise TypeError(f"map of {target.short_name}: at least one iterable of inputs is needed")
        label = group_name or target.short_name
        return _results(target, iterables, _iterators(target, label, iterables), label, concurrency, return_exceptions)


map = Map()
