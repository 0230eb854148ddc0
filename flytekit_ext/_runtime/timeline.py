"""The Timeline deck: how long a task run spent converting its inputs, in its body, and converting its outputs.

flytekit times each step of every run with ``flytekit.core.utils.timeit``, which reads the current context and
formats a log line for each, whether or not a deck will ever show the result. Here a run records the same
entries, under the names flytekit gives them (so the deck reads the same), only when a timeline deck will be
rendered: its own (decks enabled, with the Timeline field), or that of the run it is part of (an eager task's
children, the tasks of a workflow with decks), whose decks it shares as in flytekit.

Reading the process's CPU time is a system call (most of the cost here), so a run reads the clocks once at
each boundary between its steps, and each step ends where the next begins (the ``post_execute`` hook counts
in the outputs' step).
"""

from __future__ import annotations

import datetime
import time
from typing import Any, Optional, Tuple

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


class Timeline:
    """The clock of one run that shows a timeline: :meth:`start`, then one :meth:`lap` at the end of each step."""

    __slots__ = ("deck", "_at", "_wall", "_cpu")

    def __init__(self, deck: TimeLineDeck) -> None:
        self.deck = deck

    def start(self) -> None:
        self._at = datetime.datetime.fromtimestamp(time.time(), _UTC)
        self._wall = time.perf_counter()
        self._cpu = time.process_time()

    def lap(self, names: Tuple[str, ...]) -> None:
        """The step since the last reading ended now: add its entries, under each of ``names``."""
        cpu = time.process_time()
        wall = time.perf_counter()
        at = datetime.datetime.fromtimestamp(time.time(), _UTC)
        started, wall_s, cpu_s = self._at, wall - self._wall, cpu - self._cpu
        for name in names:
            self.deck.append_time_info(
                {"Name": name, "Start": started, "Finish": at, "WallTime": wall_s, "ProcessTime": cpu_s}
            )
        self._at, self._wall, self._cpu = at, wall, cpu


def timeline_of(params: Any) -> Optional[Timeline]:
    """The clock for a run with these parameters, or ``None`` when no timeline deck will show it."""
    deck = shown_timeline(params)
    return None if deck is None else Timeline(deck)
