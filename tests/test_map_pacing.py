"""The pace of a map's items on worker threads: how many run at once, and when the consumer runs them itself."""

import time

import pytest

from flytekit_ext._patterns.map_pacing import QUICK_ITEM_S, Pacing, timed


def test_a_map_starts_with_one_item_in_flight_run_by_a_worker():
    pacing = Pacing(limit=64)
    assert pacing.window == 1 and not pacing.inline


def test_slow_items_double_the_window_up_to_the_maps_bound():
    pacing = Pacing(limit=8)
    sizes = []
    for _ in range(4):
        pacing.finished(quick=False)
        sizes.append(pacing.window)
    assert sizes == [2, 4, None, None]  # None: as many as the bound allows


def test_without_a_bound_the_window_keeps_doubling():
    pacing = Pacing(limit=None)
    for _ in range(10):
        pacing.grow()
    assert pacing.window == 1024


def test_as_many_quick_items_in_a_row_as_may_run_at_once_make_the_consumer_run_the_next_itself():
    pacing = Pacing(limit=64)
    pacing.finished(quick=False)
    pacing.finished(quick=False)
    assert pacing.window == 4
    for _ in range(3):
        pacing.finished(quick=True)
        assert not pacing.inline
    pacing.finished(quick=True)
    assert pacing.inline and pacing.window == 1


def test_a_slow_item_while_running_inline_hands_items_to_workers_again():
    pacing = Pacing(limit=64)
    pacing.finished(quick=True)
    assert pacing.inline
    pacing.finished(quick=False)
    assert not pacing.inline and pacing.window == 2


def test_waiting_on_the_oldest_item_lets_more_run_and_starts_the_count_of_quick_items_again():
    pacing = Pacing(limit=64)
    pacing.finished(quick=False)  # window 2
    pacing.finished(quick=True)
    pacing.grow()  # the oldest item was still running after QUICK_ITEM_S
    assert pacing.window == 4
    for _ in range(3):
        pacing.finished(quick=True)
    assert not pacing.inline  # the quick item before the wait no longer counts


def test_timed_items_say_whether_they_were_quick():
    def busy(n: int) -> int:
        return sum(range(n))

    # A busy item is quick when it ran on the CPU for most of its (short) time: on a loaded machine a run may be
    # preempted, so one of a few runs is enough.
    assert any(timed(busy)(10) == (45, True) for _ in range(50))
    value, quick = timed(time.sleep)(QUICK_ITEM_S / 2)  # short, but waiting rather than busy
    assert value is None and not quick
    assert timed(busy)(2_000_000)[1] is False  # busy, but longer than QUICK_ITEM_S


def test_a_timed_item_raises_its_own_error():
    def fails(_: int) -> int:
        raise ValueError("item")

    with pytest.raises(ValueError, match="item"):
        timed(fails)(1)
