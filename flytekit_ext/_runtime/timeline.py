"""The Timeline deck: how long a task run spent converting its inputs, in its body, and converting its outputs.

flytekit times each step of every run with ``flytekit.core.utils.timeit``, which reads the current context and
formats a log line for each, whether or not a deck will ever show the result. Here a run records the same
entries, under the names flytekit gives them (so the deck reads the same), only when a timeline deck will be
rendered: its own (decks enabled, with the Timeline field), or that of the run it is part of (an eager task's
children, the tasks of a workflow with decks), whose decks it shares as in flytekit.

An eager task shows the entries of every child it runs, so recording must cost little: a run reads the clocks
once at each boundary between its steps (each step ends where the next begins; the ``post_execute`` hook
counts in the outputs' step), and a local run's deck (:class:`RecordedTimeLineDeck`) keeps the readings as
they are, making flytekit's entries of them only when they are read or rendered.
"""

from __future__ import annotations

import datetime
import threading
import time
from typing import Any, Dict, List, Optional, Tuple

from flytekit.deck.deck import DeckField, TimeLineDeck

# flytekit's entries for each step, innermost first: the order in which its nested ``timeit`` blocks end.
INPUTS = ("AsyncTranslate literal to python value", "Translate literal to python value")
BODY = ("Execute user level code",)
OUTPUTS = ("Translate the output to literals", "dispatch execute")

_UTC = datetime.timezone.utc
# Wall-clock time at perf_counter() == 0, to date the readings of perf_counter when entries are made of them.
_EPOCH = time.time() - time.perf_counter()

# One step of one run as read from the clocks: (entry names, wall start, wall end, CPU start, CPU end).
_Step = Tuple[Tuple[str, ...], float, float, float, float]


def _add_entries(entries: List[Dict[str, Any]], step: _Step) -> None:
    """Append flytekit's timeline entries for a step to ``entries``: one per name, as ``timeit`` makes them."""
    names, wall_start, wall_end, cpu_start, cpu_end = step
    start = datetime.datetime.fromtimestamp(_EPOCH + wall_start, _UTC)
    finish = datetime.datetime.fromtimestamp(_EPOCH + wall_end, _UTC)
    wall, cpu = wall_end - wall_start, cpu_end - cpu_start
    for name in names:
        entries.append({"Name": name, "Start": start, "Finish": finish, "WallTime": wall, "ProcessTime": cpu})


class RecordedTimeLineDeck(TimeLineDeck):
    """flytekit's Timeline deck, keeping flytekit_ext's steps as clock readings until its entries are read.

    ``time_info`` (what flytekit's ``timeit``, the deck's ``html`` and users read) is flytekit's list of entry
    dicts, in the order the steps and ``timeit`` blocks ended.
    """

    def __init__(self) -> None:
        self._rows: List[Any] = []  # entry dicts (from timeit) and steps (from flytekit_ext's runs), in order
        self._steps = 0  # how many of the rows are steps not yet made entries
        # The children of an eager run share its deck and add steps from worker threads, maybe while the
        # deck is being rendered.
        self._lock = threading.Lock()
        super().__init__(DeckField.TIMELINE.value, auto_add_to_deck=False)

    @property
    def time_info(self) -> List[Dict[str, Any]]:
        with self._lock:
            if self._steps:
                entries: List[Dict[str, Any]] = []
                for row in self._rows:
                    if type(row) is tuple:
                        _add_entries(entries, row)
                    else:
                        entries.append(row)
                self._rows, self._steps = entries, 0
            return self._rows

    @time_info.setter
    def time_info(self, entries: List[Dict[str, Any]]) -> None:
        with self._lock:
            self._rows, self._steps = list(entries), 0

    def append_time_info(self, info: Dict[str, Any]) -> None:
        if not isinstance(info, dict):
            raise TypeError(f"a timeline entry is a dict, got {info!r}")
        with self._lock:
            self._rows.append(info)

    def add_step(self, step: _Step) -> None:
        with self._lock:
            self._rows.append(step)
            self._steps += 1


def shown_timeline(params: Any) -> Optional[TimeLineDeck]:
    """The timeline deck that the run with these parameters will render, if any."""
    if params is None:
        return None
    for deck in params.decks:
        if isinstance(deck, TimeLineDeck):
            return deck
    return None


def timeline_deck(params: Any, local: bool) -> TimeLineDeck:
    """The timeline deck a run that writes decks shows: the one it is part of, or else a new one.

    In a pod, flytekit has usually made one already (loading the task and downloading its inputs are timed
    into it), so flytekit's own property finds or makes it there.
    """
    found = shown_timeline(params)
    if found is not None:
        return found
    return RecordedTimeLineDeck() if local else params.timeline_deck


class Timeline:
    """The clock of one run that shows a timeline: :meth:`start`, then one :meth:`lap` at the end of each step."""

    __slots__ = ("deck", "_wall", "_cpu")

    def __init__(self, deck: TimeLineDeck) -> None:
        self.deck = deck

    def start(self) -> None:
        self._wall = time.perf_counter()
        self._cpu = time.process_time()

    def lap(self, names: Tuple[str, ...]) -> None:
        """The step since the last reading ended now: add its entries, under each of ``names``."""
        cpu = time.process_time()
        wall = time.perf_counter()
        step = (names, self._wall, wall, self._cpu, cpu)
        deck = self.deck
        if type(deck) is RecordedTimeLineDeck:
            deck.add_step(step)
        else:
            entries: List[Dict[str, Any]] = []
            _add_entries(entries, step)
            for entry in entries:
                deck.append_time_info(entry)
        self._wall, self._cpu = wall, cpu


def timeline_of(params: Any) -> Optional[Timeline]:
    """The clock for a run with these parameters, started; ``None`` when no timeline deck will show the run."""
    deck = shown_timeline(params)
    if deck is None:
        return None
    timeline = Timeline(deck)
    timeline.start()
    return timeline
