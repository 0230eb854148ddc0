"""The Timeline deck: how long a task run spent converting its inputs, in its body, and converting its outputs.

flytekit times each step of every run with ``flytekit.core.utils.timeit``, which reads the current context and
formats a log line for each, whether or not a deck will ever show the result. Here a run records the same
entries, under the names flytekit gives them (so the deck reads the same), only when a timeline deck will be
rendered: its own (decks enabled, with the Timeline field), or that of the run it is part of (an eager task's
children, the tasks of a workflow with decks), whose decks it shares as in flytekit.
"""

from __future__ import annotations

import datetime
import time
from types import TracebackType
from typing import Any, Optional, Tuple, Type

from flytekit.deck.deck import TimeLineDeck

# flytekit's entries for each step, innermost first: the order in which its nested ``timeit`` blocks end.
INPUTS = ("AsyncTranslate literal to python value", "Translate literal to python value")
BODY = ("Execute user level code",)
OUTPUTS = ("Translate the output to literals", "dispatch execute")

_UTC = datetime.timezone.utc


def shown_timeline(params: Any) -> Optional[TimeLineDeck]:
    """The timeline deck that the run with these parameters will render, if any."""
    if params is None:
        return None
    for deck in params.decks:
        if isinstance(deck, TimeLineDeck):
            return deck
    return None


class _Span:
    """Times one step; on leaving it, adds an entry for each of ``names`` to the deck."""

    __slots__ = ("deck", "names", "started", "wall", "cpu")

    def __init__(self, deck: TimeLineDeck, names: Tuple[str, ...]) -> None:
        self.deck = deck
        self.names = names

    def __enter__(self) -> None:
        self.started = time.time()
        self.wall = time.perf_counter()
        self.cpu = time.process_time()

    def __exit__(
        self, exc_type: Type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        cpu = time.process_time() - self.cpu
        wall = time.perf_counter() - self.wall
        start = datetime.datetime.fromtimestamp(self.started, _UTC)
        finish = start + datetime.timedelta(seconds=wall)
        for name in self.names:
            self.deck.append_time_info(dict(Name=name, Start=start, Finish=finish, WallTime=wall, ProcessTime=cpu))


class _NoSpan:
    """What a run that shows no timeline times its steps with: nothing."""

    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, exc_type: Type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None


_NOTHING = _NoSpan()


def timed(deck: Optional[TimeLineDeck], names: Tuple[str, ...]) -> Any:
    """A context manager timing one step into ``deck``'s entries ``names``; a no-op without a deck."""
    return _NOTHING if deck is None else _Span(deck, names)
