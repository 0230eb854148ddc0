"""``flytekit_ext.map``: bounded, ordered, concurrent locally; an ArrayNode in a workflow body."""

import asyncio
import threading
import time
import typing

import pytest

import flytekit_ext
from flytekit_ext import eager, task, workflow
from tests.pattern_tasks import async_double, double, doubler


def test_map_returns_results_in_input_order_and_runs_concurrently():
    @task
    def slow(x: int) -> int:
        time.sleep(0.2 if x % 2 else 0.05)
        return x

    started = time.perf_counter()
    assert list(flytekit_ext.map(slow, range(10))) == list(range(10))
    assert time.perf_counter() - started < 0.5


@task
def busy_then_waiting(x: int) -> str:
    if x >= 200:
        time.sleep(0.0005)
    return threading.current_thread().name


@pytest.mark.parametrize("concurrency", [64, 0], ids=["bounded", "no bound"])
def test_quick_items_run_on_the_callers_thread_without_a_hand_over(concurrency):
    # Once items prove quick they run here; a busy machine can send some back to workers (an item that lost
    # its core looks like one that waits), so only a share is asserted.
    here = threading.current_thread().name
    threads = list(flytekit_ext.map(busy_then_waiting, range(200), concurrency=concurrency))
    assert threads.count(here) >= 60  # about 140 on a quiet machine; about 10 when every item is handed over


@pytest.mark.parametrize("concurrency", [64, 0], ids=["bounded", "no bound"])
def test_items_that_wait_still_overlap_after_quick_ones(concurrency):
    # 200 quick items that only compute, then 400 that each wait half a millisecond. The waiting ones must go
    # back to worker threads, where they overlap; run here, one after another, they would take over 0.2 s.
    # Where they ran is asserted rather than how long they took: a loaded machine blurs the timing.
    here = threading.current_thread().name
    threads = list(flytekit_ext.map(busy_then_waiting, range(600), concurrency=concurrency))
    assert threads[200:].count(here) < 100  # a few heads run here while the consumer waits; not most


class Overlap:
    """The most items running at once."""

    def __init__(self) -> None:
        self.running = self.most = 0
        self.lock = threading.Lock()

    def __enter__(self) -> None:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)

    def __exit__(self, *exc_info: object) -> None:
        with self.lock:
            self.running -= 1


@pytest.mark.parametrize("concurrency", [16, 0], ids=["bounded", "no bound"])
def test_slow_items_mixed_with_quick_ones_still_overlap(concurrency):
    # One quick item between two slow ones is no reason to wait for each slow one alone.
    overlap = Overlap()

    @task
    def slow_when_odd(x: int) -> int:
        if x % 2:
            with overlap:
                time.sleep(0.01)
        return x

    assert list(flytekit_ext.map(slow_when_odd, range(200), concurrency=concurrency)) == list(range(200))
    # On a quiet machine 8 with concurrency=16 (half of the items in flight are slow ones), about 50 without
    # a bound; 1 or 2 when each slow item is waited for alone.
    assert overlap.most >= 4


def test_a_map_without_a_bound_starts_every_item_when_the_first_one_waits():
    # The first item goes to a worker alone; it waits for all the others, so the map must start them too.
    meeting = threading.Barrier(12, timeout=10)

    @task
    def meet(x: int) -> int:
        meeting.wait()
        return x

    assert list(flytekit_ext.map(meet, range(12))) == list(range(12))


def test_a_map_without_a_bound_goes_on_starting_items_behind_a_slow_first_one():
    # More items than worker threads: the first returns only once all the others have run, which they can only
    # do if the map keeps starting them while its oldest item is still running.
    others_done = threading.Semaphore(0)

    @task
    def last_to_finish(x: int) -> bool:
        if x:
            others_done.release()
            return True
        return all(others_done.acquire(timeout=10) for _ in range(199))

    assert all(flytekit_ext.map(last_to_finish, range(200)))


@task
async def count_ints(xs: typing.List[int]) -> int:
    return len(xs)


def test_a_map_consumed_under_a_running_loop_reports_a_mistyped_list_as_flytekit_does():
    # As in a notebook cell: synchronous code under a running loop, so the items run on flytekit_ext's helper
    # loop, where a list that flytekit's own transformer must check cannot wait for that loop.
    async def cell():
        return list(flytekit_ext.map(count_ints, [[1, 2], [1, "2"]]))

    counted, failed = asyncio.run(cell())
    assert counted == 2
    assert type(failed).__name__ == "TypeTransformerFailedError"
    assert "Expected value of type <class 'int'> but got '2'" in str(failed)


def test_map_aio_in_eager_runs_async_items_concurrently():
    @eager
    async def fan_out(n: int) -> typing.List[int]:
        return [r async for r in flytekit_ext.map.aio(async_double, range(n))]

    assert asyncio.run(fan_out(n=20)) == [2 * i for i in range(20)]


def test_map_bounds_items_in_flight_and_reads_inputs_lazily():
    in_flight = 0
    most = 0
    pulled = 0

    @task
    async def track(x: int) -> int:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        return x

    def inputs() -> typing.Iterator[int]:
        nonlocal pulled
        for i in range(1000):
            pulled += 1
            yield i

    results = flytekit_ext.map(track, inputs(), concurrency=4)
    first = [next(results) for _ in range(3)]
    assert first == [0, 1, 2]
    assert pulled <= 3 + 4 + 1  # not the whole input
    assert list(results) == list(range(3, 1000))
    assert most == 4


def test_map_with_return_exceptions_yields_errors_in_place():
    @task
    def inverse(x: int) -> float:
        return 1 / x

    results = list(flytekit_ext.map(inverse, [1, 0, 4]))
    assert results[0] == 1.0 and results[2] == 0.25
    assert isinstance(results[1], ZeroDivisionError)


def test_map_without_return_exceptions_raises_and_cancels_the_rest():
    finished = []

    @task
    async def maybe_fail(x: int) -> int:
        if x == 0:
            raise ValueError("item zero failed")
        await asyncio.sleep(0.3)
        finished.append(x)
        return x

    async def main() -> None:
        async for _ in flytekit_ext.map.aio(maybe_fail, range(5), return_exceptions=False):
            pass

    with pytest.raises(ValueError, match="item zero failed"):
        asyncio.run(main())
    assert finished == []


def test_map_stops_at_the_shortest_iterable_and_zips_several():
    @task
    def add(a: int, b: int) -> int:
        return a + b

    assert list(flytekit_ext.map(add, [1, 2, 3], [10, 20])) == [11, 22]


def test_map_rejects_negative_concurrency():
    with pytest.raises(ValueError, match="concurrency"):
        flytekit_ext.map(double, [1], concurrency=-1)
    with pytest.raises(ValueError, match="concurrency"):
        flytekit_ext.map.aio(double, [1], concurrency=-1)


def test_map_over_something_not_iterable_fails_at_the_map_call_naming_map_task_and_input():
    # At the call, before anything runs or is iterated (a lazy failure would surface at the first next()).
    with pytest.raises(TypeError, match=r"map 'double' of task '.*double': the values for input 'x' .* got int 5"):
        flytekit_ext.map(double, 5)
    with pytest.raises(TypeError, match=r"map 'twice' of task '.*double': the values for input 'x'"):
        flytekit_ext.map.aio(double.override(short_name="twice"), None)
    with pytest.raises(TypeError, match=r"map of task '.*double': 2 iterables, more than its inputs \(x\)"):
        flytekit_ext.map(double, [1], [2], group_name="grouped")


def test_an_iterables_own_type_error_is_raised_as_it_is():
    class Broken:
        def __iter__(self):
            raise TypeError("Broken cannot be read today")

    with pytest.raises(TypeError, match="^Broken cannot be read today$"):
        flytekit_ext.map(double, Broken())


def test_map_over_an_instance_task_and_an_overridden_task():
    assert list(flytekit_ext.map(doubler, [1, 2])) == [2, 4]
    assert list(flytekit_ext.map(double.override(short_name="d"), [3])) == [6]


def test_map_in_a_workflow_is_an_array_node():
    @workflow
    def wf(xs: typing.List[int]) -> typing.List[int]:
        return flytekit_ext.map(double, xs)

    from flytekit.core.array_node_map_task import ArrayNodeMapTask

    assert isinstance(wf.nodes[0].flyte_entity, ArrayNodeMapTask)
    assert wf(xs=[1, 2, 3]) == [2, 4, 6]


ADDED: typing.List[int] = []


@task
def add_and_record(x: int, y: int) -> int:
    ADDED.append(x)
    return x + y


@pytest.mark.parametrize(
    "xs, ys", [([1, 2, 3], [10, 20]), ([1, 2], [10, 20, 30])], ids=["first-longer", "first-shorter"]
)
def test_a_workflow_map_over_lists_of_different_lengths_fails_before_any_item_runs(xs, ys):
    # As a Flyte backend fails the node. flytekit's local run counted the first list's items: an IndexError after
    # running some items when it was the longer, the other list's tail silently dropped when it was the shorter.
    @workflow
    def wf(xs: typing.List[int], ys: typing.List[int]) -> typing.List[int]:
        return flytekit_ext.map(add_and_record, xs, ys)

    ADDED.clear()
    expected = (
        rf"map of task '.*add_and_record' in a workflow: the lists it maps must have the same length, as a Flyte "
        rf"backend requires, but 'x' has {len(xs)}, 'y' has {len(ys)} items\. Pass lists of one length"
    )
    with pytest.raises(ValueError, match=expected):
        wf(xs=xs, ys=ys)
    assert ADDED == []
    assert wf(xs=[1, 2], ys=[10, 20]) == [11, 22]


def test_map_of_an_overridden_task_in_a_workflow_keeps_its_overrides():
    @workflow
    def wf(xs: typing.List[int]) -> typing.List[int]:
        return flytekit_ext.map(double.override(short_name="doubling", retries=2), xs)

    node = wf.nodes[0]
    assert node.metadata.name == "doubling"
    assert node.flyte_entity.sub_node_metadata.retries.retries == 2  # as flytekit's map_task applies it
    assert wf(xs=[1, 2]) == [2, 4]


def test_map_in_a_workflow_uses_minimal_array_node_state_like_flytekit_for_plain_tasks():
    from flyteidl.core.workflow_pb2 import ArrayNode

    @workflow
    def wf(xs: typing.List[int]) -> typing.List[int]:
        return flytekit_ext.map(double, xs)

    assert wf.nodes[0].flyte_entity.execution_mode == ArrayNode.MINIMAL_STATE
