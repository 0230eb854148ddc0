"""How a synchronous consumer paces a map's items on worker threads: how many to let run at once, and when to
run the next one itself instead.

A quick item gains nothing from a worker thread, where handing it over and back costs about as much as running
it; a slow one (it waits on I/O, or runs long) gains overlap with its siblings. The consumer cannot tell in
advance, so it learns from the items that finished:

* it starts with one item in flight, and doubles that each time an item proves slow or the oldest one is still
  running after :data:`QUICK_ITEM_S`, up to the map's ``concurrency`` (``None``: no bound);
* once as many items in a row as it lets run at once were quick, it runs the next items on its own thread, one
  at a time, until one is slow.

A map whose items are all quick therefore hands over only its first item; benchmarks/bench.py's "map per item"
figure (a map item's cost over a plain call) shows what this buys. An item the consumer runs itself holds up the
items after it: like flytekit's and Flyte 2's local maps, which run every item one after another, a map's item
cannot wait for a later item of the same map.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Optional, Tuple, TypeVar

T = TypeVar("T")

#: An item that ran for less than this, busy on the CPU for at least half of it, is quick; and the consumer
#: waits this long for the oldest item in flight before letting more run.
QUICK_ITEM_S = 0.001


def timed(run: Callable[[T], Any]) -> Callable[[T], Tuple[Any, bool]]:
    """``run``, returning with an item's value whether the item was quick; an error is raised as it is."""

    def run_timed(item: T) -> Tuple[Any, bool]:
        wall, cpu = time.perf_counter(), time.thread_time()
        value = run(item)
        wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
        return value, wall < QUICK_ITEM_S and cpu >= wall / 2

    return run_timed


class Pacing:
    """The pace of one map's items; see the module's description. ``limit``: the map's concurrency bound."""

    def __init__(self, limit: Optional[int]) -> None:
        self.limit = limit
        #: How many items may be in flight now; ``None``: as many as ``limit`` allows.
        self.window: Optional[int] = 1
        #: Run the next item on the consumer's thread.
        self.inline = False
        self._quick_in_a_row = 0

    def grow(self) -> None:
        """Items are slow, or wait on each other: let twice as many run at once, up to ``limit``."""
        self._quick_in_a_row = 0
        if self.window is not None:
            doubled = 2 * self.window
            self.window = None if self.limit is not None and doubled >= self.limit else doubled

    def finished(self, quick: bool) -> None:
        """An item finished, quick or not."""
        if not quick:
            self.inline = False
            self.grow()
            return
        self._quick_in_a_row += 1
        if self._quick_in_a_row >= (self.window or self.limit or 1):
            self.inline, self.window = True, 1
