"""The Timeline deck: how long a task run spent converting its inputs, in its body, and converting its outputs.

flytekit times each step of every run with ``flytekit.core.utils.timeit``, which reads the current context and
formats a log line for each, whether or not a deck will ever show the result. Here a run records the same
entries, under the names flytekit gives them (so the deck reads the same), only when a timeline deck will be
rendered: its own (decks enabled, with the Timeline field), or that of the run it is part of (an eager task's
children, the tasks of a workflow with decks), whose decks it shares as in flytekit.

A run reads the clocks once at each boundary between its steps: each step ends where the next begins, and the
``post_execute`` hook counts in the outputs' step. (Making the entries only when they are read would not save
their cost: a local run that shows decks, an eager one always, renders them when it ends, as flytekit does.)

One difference from flytekit: a local eager task's Timeline shows its own steps, not five unnamed rows for each of
its child calls. flytekit adds those only because its local children share the eager run's decks; on a cluster
each child is an execution with a timeline of its own. The eager task's "Child calls" deck times each child by
name, and a child that writes decks of its own still adds its steps. (With 2,000 children the rows cost more than
the calls themselves: ``benchmarks/bench.py``'s awaited call in an eager task went from about 2.8 to 1.9 top-level
calls without them.)
"""

from __future__ import annotations

import datetime
import time
from typing import Any, Optional, Tuple

from flytekit.deck.deck import DeckField, TimeLineDeck

# flytekit's entries for each step, innermost first: the order in which its nested ``timeit`` blocks end.
INPUTS = ("AsyncTranslate literal to python value", "Translate literal to python value")
BODY = ("Execute user level code",)
OUTPUTS = ("Translate the output to literals", "dispatch execute")

_UTC = datetime.timezone.utc


class OwnStepsTimeLineDeck(TimeLineDeck):
    """The Timeline of a local eager run: runs that share its decks add their steps only if they write decks."""


def shown_timeline(params: Any, writes_decks: bool) -> Optional[TimeLineDeck]:
    """The timeline deck that the run with these parameters will render, if any; ``writes_decks``: whether the run
    writes decks of its own."""
    if params is None:
        return None
    for deck in params.decks:
        if isinstance(deck, TimeLineDeck):
            return None if not writes_decks and isinstance(deck, OwnStepsTimeLineDeck) else deck
    return None


def timeline_deck(params: Any, local: bool, eager: bool = False) -> TimeLineDeck:
    """The timeline deck a run that writes decks shows: the one it is part of, or else a new one (an
    :class:`OwnStepsTimeLineDeck` for a local ``eager`` task's run).

    In a pod, flytekit has usually made one already (loading the task and downloading its inputs are timed
    into it), so flytekit's own property finds or makes it there.
    """
    found = shown_timeline(params, writes_decks=True)
    if found is not None:
        return found
    if not local:
        return params.timeline_deck
    return (OwnStepsTimeLineDeck if eager else TimeLineDeck)(DeckField.TIMELINE.value, auto_add_to_deck=False)


class Timeline:
    """The clock of one run that shows a timeline: :meth:`start`, then one :meth:`lap` at the end of each step."""

    __slots__ = ("deck", "_wall", "_cpu")

    def __init__(self, deck: TimeLineDeck) -> None:
        self.deck = deck

    def start(self) -> None:
        self._wall = time.time()
        self._cpu = time.process_time()

    def lap(self, names: Tuple[str, ...]) -> None:
        """The step since the last reading ended now: add flytekit's entries for it, one under each of ``names``."""
        cpu = time.process_time()
        wall = time.time()
        start = datetime.datetime.fromtimestamp(self._wall, _UTC)
        finish = datetime.datetime.fromtimestamp(wall, _UTC)
        for name in names:
            self.deck.append_time_info(
                {
                    "Name": name,
                    "Start": start,
                    "Finish": finish,
                    "WallTime": wall - self._wall,
                    "ProcessTime": cpu - self._cpu,
                }
            )
        self._wall, self._cpu = wall, cpu


def timeline_of(params: Any, writes_decks: bool) -> Optional[Timeline]:
    """The clock for a run with these parameters, started; ``None`` when no timeline deck will show the run."""
    deck = shown_timeline(params, writes_decks)
    if deck is None:
        return None
    timeline = Timeline(deck)
    timeline.start()
    return timeline
