"""``flytekit_ext.map`` and ``flytekit_ext.map.aio``: a task over iterables, results in input order.

Where the items run is decided once per map, from where the map is made and what it maps:

* in a workflow body: one ArrayNode (flytekit's ``map_task``);
* in an eager task on a backend: each item is a child execution;
* anywhere else, locally: async tasks on the event loop; sync tasks on worker threads (the consumer runs the
  item it is waiting for itself rather than only waiting, so quick items cost about what a call costs);
  with ``processes=``, any task in worker processes, so CPU-bound items use every core.

At most ``concurrency`` items are in flight (0: no bound) and inputs are read lazily, so memory stays
proportional to ``concurrency`` however long the input. Like the builtin ``map``, several iterables are
zipped and the shortest one ends the map. The task may be a ``functools.partial``, whose arguments are the
same for every item (see :mod:`.map_target`). Structured like an anyio task group: when the map ends early, no
further item starts and the map ends only once every started item has stopped
(:mod:`flytekit_ext._patterns.map_window`).
"""

from __future__ import annotations

import functools
from types import TracebackType
from typing import (
    Any,
    AsyncIterator,
    Callable,
    Coroutine,
    Generic,
    Iterable,
    Iterator,
    Optional,
    Tuple,
    Type,
    TypeVar,
    Union,
    overload,
)

from typing_extensions import TypedDict, Unpack

from flytekit_ext._calls.overridden import Overridable
from flytekit_ext._core import enclosing
from flytekit_ext._core.contexts import current_context
from flytekit_ext._core.loops import run_coroutine
from flytekit_ext._core.where import Where, where
from flytekit_ext._patterns.array_node import array_node_call
from flytekit_ext._patterns.map_processes import ForkedItems, ProcessItems, can_fork, worker_count
from flytekit_ext._patterns.map_progress import Progress
from flytekit_ext._patterns.map_target import MapTarget, map_target
from flytekit_ext._patterns.map_window import (
    Arguments,
    FutureItems,
    future_results,
    future_results_async,
    task_results,
)

#: What the task's calls give: the items of a map's results.
Item = TypeVar("Item")


def _check_concurrency(concurrency: int) -> None:
    if not isinstance(concurrency, int) or concurrency < 0:
        raise ValueError(f"map: concurrency must be an int >= 0 (0 means unbounded), got {concurrency!r}")


def _iterators(target: MapTarget, label: str, iterables: tuple[Iterable[Any], ...]) -> tuple[Iterator[Any], ...]:
    """An iterator over each iterable, made now: something that cannot be iterated fails the map call itself."""
    iterators = []
    for name, iterable in zip(target.mapped, iterables):
        try:
            iterators.append(iter(iterable))
        except TypeError:
            if hasattr(type(iterable), "__iter__"):
                raise  # an iterable whose own __iter__ failed: its error, as it is
            raise TypeError(
                f"map '{label}' of task '{target.task.name}': the values for input '{name}' must be iterable, got "
                f"{type(iterable).__name__} {iterable!r}"
            ) from None
    return tuple(iterators)


class _Plan:
    """How one map's items run locally or as child executions: decided once, when the map is made."""

    def __init__(
        self,
        target: MapTarget,
        iterables: tuple[Iterable[Any], ...],
        place: Where,
        group_name: Optional[str],
        concurrency: int,
        return_exceptions: bool,
        processes: Union[bool, int, None],
    ) -> None:
        if not iterables:
            raise TypeError(f"map of {target.short_name}: at least one iterable of inputs is needed")
        self.target = target
        self.iterables = iterables
        self.label = enclosing.current().labelled(group_name or target.short_name)
        self.arguments = zip(*_iterators(target, self.label, iterables))
        self.limit = concurrency or None
        self.return_exceptions = return_exceptions
        # A bad value of processes is an error wherever the map is made; in an eager task on a backend the
        # option has nothing to do: every item is a child execution already.
        wanted = processes is not None and processes is not False
        self.workers = worker_count(processes, target.short_name) if wanted else 0
        self.in_processes = wanted and place.runs_calls_here
        # Items as futures: in processes, or a sync task run here; as asyncio tasks otherwise.
        self.as_futures = self.in_processes or (place.runs_calls_here and not target.task.is_async)

    def _progress(self) -> Progress:
        return Progress(self.label, self.iterables)

    def _future_items(self) -> FutureItems:
        if self.in_processes and can_fork():
            forked = ForkedItems(self.target, self.workers)
            return FutureItems(forked.start, stop_started=forked.stop_started, close=forked.close, open=forked.open)
        if self.in_processes:
            spawned = ProcessItems(self.target, self.workers)
            return FutureItems(spawned.start, stop_started=spawned.stop_started)
        target = self.target

        def call(arguments: Arguments) -> Any:
            return target.call(*arguments)

        return FutureItems.on_threads(call)

    def _task_results(self) -> AsyncIterator[Any]:
        start = self.target.aio
        return task_results(
            lambda arguments: start(*arguments),
            self.arguments,
            self.limit,
            self.return_exceptions,
            self.label,
            self._progress,
        )

    def _window(self) -> Tuple[FutureItems, Iterator[Arguments], Optional[int], bool, str, Callable[[], Progress]]:
        """What a window of futures needs, for either kind of consumer."""
        return self._future_items(), self.arguments, self.limit, self.return_exceptions, self.label, self._progress

    def results(self) -> Results[Any]:
        """For a synchronous consumer."""
        if self.as_futures:
            return Results(future_results(*self._window()))
        return Results(AsyncResults(self._task_results()))

    def async_results(self) -> AsyncResults[Any]:
        """For an asynchronous consumer."""
        if self.as_futures:
            return AsyncResults(future_results_async(*self._window()))
        return AsyncResults(self._task_results())


class AsyncResults(AsyncIterator[Item], Generic[Item]):
    """What ``map.aio`` returns: the results as an async iterator; ``async with`` closes it on leaving."""

    def __init__(self, results: AsyncIterator[Item]) -> None:
        self._results = results

    def __aiter__(self) -> AsyncResults[Item]:
        return self

    async def __anext__(self) -> Item:
        return await self._results.__anext__()

    async def aclose(self) -> None:
        """Stop early: no further item starts; the items in flight are stopped and waited for."""
        await self._results.aclose()  # type: ignore[attr-defined]

    async def __aenter__(self) -> AsyncResults[Item]:
        return self

    async def __aexit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        await self.aclose()


class Results(Iterator[Item], Generic[Item]):
    """What ``map`` returns: the results as an iterator; ``with`` closes it on leaving."""

    def __init__(self, results: Union[Iterator[Item], AsyncResults[Item]]) -> None:
        # Which kind, decided once: an isinstance check of an abstract base class costs a Python call per item.
        self._async: Optional[AsyncResults[Item]] = None
        self._sync: Optional[Iterator[Item]] = None
        if isinstance(results, AsyncResults):
            self._async = results
        else:
            self._sync = results
        self._closed = False

    def __next__(self) -> Item:
        if self._closed:
            raise StopIteration
        try:
            if self._sync is not None:
                return next(self._sync)
            assert self._async is not None
            return run_coroutine(self._async.__anext__())
        except StopAsyncIteration:
            self._closed = True
            raise StopIteration from None
        except BaseException:
            self._closed = True
            raise

    def close(self) -> None:
        """Stop early: no further item starts; the items in flight are stopped and waited for."""
        if not self._closed:
            self._closed = True
            if self._async is not None:
                run_coroutine(self._async.aclose())
            else:
                self._sync.close()  # type: ignore[union-attr]

    def __enter__(self) -> Results[Item]:
        return self

    def __exit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        self.close()

    def __del__(self) -> None:
        if not self._closed:
            try:
                self.close()
            except Exception:  # noqa: BLE001 - interpreter shutdown or a loop already gone
                pass


class MapOptions(TypedDict, total=False):
    """The options of ``map`` and ``map.aio``, as their type shows them: see :class:`Map`."""

    group_name: Optional[str]
    concurrency: int
    return_exceptions: bool
    processes: Union[bool, int, None]


class Map:
    """``map(task, *iterables, group_name=None, concurrency=0, return_exceptions=True, processes=None)``;
    ``map.aio(...)``.

    Typed by the task's outputs: ``map(add, xs)`` iterates what ``add`` returns, also for an async task, and
    for a ``functools.partial`` of a task. A type checker does not check the iterables' values against the
    task's inputs, nor show that with ``return_exceptions`` (the default) a failed item yields its exception.
    """

    @overload
    def __call__(
        self, target: Overridable[..., Any, Item], *iterables: Iterable[Any], **options: Unpack[MapOptions]
    ) -> Results[Item]: ...

    @overload
    def __call__(
        self,
        target: functools.partial[Coroutine[Any, Any, Item]],
        *iterables: Iterable[Any],
        **options: Unpack[MapOptions],
    ) -> Results[Item]: ...

    @overload
    def __call__(
        self, target: functools.partial[Item], *iterables: Iterable[Any], **options: Unpack[MapOptions]
    ) -> Results[Item]: ...

    def __call__(
        self,
        target: Union[Overridable[..., Any, Any], functools.partial[Any]],
        *iterables: Iterable[Any],
        group_name: Optional[str] = None,
        concurrency: int = 0,
        return_exceptions: bool = True,
        processes: Union[bool, int, None] = None,
    ) -> Any:
        """An iterator of results in input order; with ``return_exceptions`` a failed item yields its error.

        Without ``return_exceptions`` the first failure raises, once the items still running have stopped.
        ``processes`` (``True`` for one per core, or a number) runs the items in worker processes. In a
        workflow body the result is the ArrayNode's promise of the whole list.
        """
        _check_concurrency(concurrency)
        mapped = map_target(target, len(iterables))
        place = where(current_context())
        if place.in_workflow_body:
            if processes is not None and processes is not False:
                raise ValueError(
                    f"map of {mapped.short_name} in a workflow: processes= applies to local runs only; "
                    f"a workflow's map items each run in their own pod"
                )
            return array_node_call(mapped, iterables, concurrency)
        return _Plan(mapped, iterables, place, group_name, concurrency, return_exceptions, processes).results()

    @overload
    def aio(
        self, target: Overridable[..., Any, Item], *iterables: Iterable[Any], **options: Unpack[MapOptions]
    ) -> AsyncResults[Item]: ...

    @overload
    def aio(
        self,
        target: functools.partial[Coroutine[Any, Any, Item]],
        *iterables: Iterable[Any],
        **options: Unpack[MapOptions],
    ) -> AsyncResults[Item]: ...

    @overload
    def aio(
        self, target: functools.partial[Item], *iterables: Iterable[Any], **options: Unpack[MapOptions]
    ) -> AsyncResults[Item]: ...

    def aio(
        self,
        target: Union[Overridable[..., Any, Any], functools.partial[Any]],
        *iterables: Iterable[Any],
        group_name: Optional[str] = None,
        concurrency: int = 0,
        return_exceptions: bool = True,
        processes: Union[bool, int, None] = None,
    ) -> AsyncResults[Any]:
        """The same as an async iterator, for ``async for`` in async and eager tasks."""
        _check_concurrency(concurrency)
        mapped = map_target(target, len(iterables))
        place = where(current_context())
        return _Plan(mapped, iterables, place, group_name, concurrency, return_exceptions, processes).async_results()


map = Map()
