"""Flyte 2's call patterns in each place a task can be called: top level, a task, a workflow, an eager task."""

import asyncio
import inspect
import logging
import threading
import time
import typing
from typing import Any

import anyio
import pytest
from flytekit import kwtypes
from flytekit.core.type_engine import TypeTransformerFailedError

import flytekit_ext
from flytekit_ext import PythonInstanceTask, eager, task, workflow


@task
def double(x: int) -> int:
    return x * 2


@task
async def async_double(x: int) -> int:
    await asyncio.sleep(0.01)
    return x * 2


@task
def runs_asyncio_run(x: int) -> int:
    async def inner() -> int:
        await asyncio.sleep(0)
        return x + 1

    return asyncio.run(inner())


class Doubler(PythonInstanceTask[None]):
    def execute(self, **kwargs: Any) -> Any:
        return kwargs["x"] * 2


doubler = Doubler(
    name="doubler",
    task_config=None,
    interface=flytekit_ext.tasks.instance.Interface(inputs=kwtypes(x=int), outputs=kwtypes(o0=int)),
)


# --- forward -----------------------------------------------------------------------------------------------


def test_forward_runs_the_body_without_literals():
    class NotConvertible:
        pass

    marker = NotConvertible()

    @task
    def identity(x: int) -> int:
        return x

    assert identity.forward(marker) is marker  # no type engine involved
    assert double.forward(x=4) == 8


def test_forward_of_async_task_is_a_coroutine_and_of_instance_task_is_execute():
    coroutine = async_double.forward(3)
    assert inspect.iscoroutine(coroutine)
    assert asyncio.run(coroutine) == 6
    assert doubler.forward(x=5) == 10


def test_forward_with_wrong_arguments_is_the_plain_call_type_error():
    with pytest.raises(TypeError):
        double.forward(y=1)


def test_forward_inside_task_and_eager():
    @task
    def outer(x: int) -> int:
        return double.forward(x) + 1

    @eager
    async def eager_outer(x: int) -> int:
        return await async_double.forward(x) + doubler.forward(x=x)

    assert outer(x=2) == 5
    assert asyncio.run(eager_outer(x=2)) == 8


# --- aio ---------------------------------------------------------------------------------------------------


def test_aio_of_a_sync_task_runs_on_a_worker_thread():
    @task
    def where() -> str:
        return threading.current_thread().name

    assert asyncio.run(where.aio()) != threading.main_thread().name


def test_aio_lets_a_sync_body_call_asyncio_run_without_nest_asyncio():
    async def main() -> int:
        return await runs_asyncio_run.aio(1)

    assert asyncio.run(main()) == 2


def test_aio_of_sync_tasks_does_not_block_the_loop():
    @task
    def sleepy(x: int) -> int:
        time.sleep(0.2)
        return x

    async def main() -> typing.List[int]:
        return list(await asyncio.gather(*(sleepy.aio(i) for i in range(8))))

    started = time.perf_counter()
    assert asyncio.run(main()) == list(range(8))
    assert time.perf_counter() - started < 0.6


def test_aio_of_async_task_equals_awaiting_the_call():
    async def main() -> typing.Tuple[int, int]:
        return await async_double.aio(2), await async_double(2)

    assert asyncio.run(main()) == (4, 4)


def test_aio_inside_a_plain_task():
    @task
    def outer(x: int) -> int:
        return asyncio.run(double.aio(x))

    assert outer(x=3) == 6


def test_aio_with_wrong_arguments_raises_the_plain_call_error():
    with pytest.raises(AssertionError, match="unexpected keyword argument 'y'"):
        asyncio.run(double.aio(y=1))


def test_aio_awaited_in_a_workflow_body_is_a_clear_error():
    @workflow
    def wf(x: int) -> int:
        coroutine = double.aio(x)
        asyncio.run(coroutine)
        return double(x=x)

    with pytest.raises(TypeError, match="awaited inside a @workflow"):
        wf.compile()


# --- short_name and override ---------------------------------------------------------------------------------


def test_override_returns_a_callable_and_leaves_the_task_alone():
    changed = double.override(short_name="twice", retries=2, timeout=30, cache=False)
    assert changed.short_name == "twice"
    assert double.short_name == "double"
    assert double.metadata.retries == 0
    assert changed(3) == 6
    assert asyncio.run(changed.aio(3)) == 6
    assert changed.override(short_name="again").short_name == "again"


def test_override_rejects_unknown_keys_naming_them():
    with pytest.raises(TypeError, match="'bogus'"):
        double.override(bogus=1)
    with pytest.raises(TypeError, match="short_name must be a str"):
        double.override(short_name=3)


def test_override_in_a_workflow_sets_node_overrides():
    @workflow
    def wf(x: int) -> int:
        return double.override(short_name="custom", retries=4, interruptible=True)(x=x)

    node = wf.nodes[0]
    assert node.metadata.name == "custom"
    assert node.metadata.retries.retries == 4
    assert node.metadata.interruptible is True


def test_short_name_is_what_local_logs_show(caplog):
    with caplog.at_level(logging.INFO, logger="flytekit"):
        double.override(short_name="shown-name")(1)
    assert any("shown-name" in record.getMessage() for record in caplog.records)


# --- callables as inputs -------------------------------------------------------------------------------------


@task
def apply(x: int, fn: typing.Callable[[int], int]) -> int:
    return fn(x)


@eager
async def apply_in_eager(x: int, fn: typing.Callable[[int], typing.Any]) -> int:
    result = fn(x)
    return await result if inspect.isawaitable(result) else result


def test_lambda_closure_and_task_as_inputs_at_top_level():
    offset = 10
    assert apply(x=1, fn=lambda v: v + offset) == 11
    assert apply(x=3, fn=double) == 6


def test_callable_input_has_no_pickle_fallback_warning(caplog):
    with caplog.at_level(logging.WARNING):

        @task
        def takes_callable(fn: typing.Callable[[], int]) -> int:
            return fn()

        assert takes_callable(fn=lambda: 5) == 5
    assert not [r for r in caplog.records if "pickle" in r.getMessage().lower()]


def test_task_passed_into_an_eager_task_stays_a_task():
    assert asyncio.run(apply_in_eager(x=4, fn=async_double)) == 8
    assert asyncio.run(apply_in_eager(x=4, fn=lambda v: v - 1)) == 3


def test_callable_in_a_workflow():
    @workflow
    def wf(x: int) -> int:
        return apply(x=x, fn=double)

    assert wf(x=5) == 10


def test_unpicklable_callable_is_a_clear_error_naming_the_input():
    lock = threading.Lock()

    with pytest.raises(TypeTransformerFailedError, match="(?s)argument 'fn'.*cannot be pickled"):
        apply(x=1, fn=lambda v: v if lock else v)


def test_a_task_pickles_as_a_reference_to_itself():
    import cloudpickle

    from tests import resolver_targets

    assert cloudpickle.loads(cloudpickle.dumps(resolver_targets.echo)) is resolver_targets.echo


# --- map -----------------------------------------------------------------------------------------------------


def test_map_returns_results_in_input_order_and_runs_concurrently():
    @task
    def slow(x: int) -> int:
        time.sleep(0.2 if x % 2 else 0.05)
        return x

    started = time.perf_counter()
    assert list(flytekit_ext.map(slow, range(10))) == list(range(10))
    assert time.perf_counter() - started < 0.5


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


# --- async interop -------------------------------------------------------------------------------------------


@eager
async def via_threads(x: int) -> typing.List[int]:
    a = await asyncio.to_thread(double, x)
    b = await anyio.to_thread.run_sync(double, x + 1)
    return [a, b]


def test_tasks_called_through_to_thread_return_native_values():
    assert asyncio.run(via_threads(x=1)) == [2, 4]


@eager
async def with_task_group(n: int) -> typing.List[int]:
    results: typing.List[int] = [0] * n

    async def run(i: int) -> None:
        results[i] = await async_double(x=i)

    async with anyio.create_task_group() as tg:
        for i in range(n):
            tg.start_soon(run, i)
    return results


def test_anyio_task_group_around_task_calls():
    assert asyncio.run(with_task_group(n=5)) == [0, 2, 4, 6, 8]


def test_anyio_run_on_the_asyncio_backend():
    assert anyio.run(with_task_group.aio, 3) == [0, 2, 4]


def test_map_of_an_overridden_task_in_a_workflow_keeps_its_overrides():
    @workflow
    def wf(xs: typing.List[int]) -> typing.List[int]:
        return flytekit_ext.map(double.override(short_name="doubling", retries=2), xs)

    node = wf.nodes[0]
    assert node.metadata.name == "doubling"
    assert node.flyte_entity.sub_node_metadata.retries.retries == 2  # as flytekit's map_task applies it
    assert wf(xs=[1, 2]) == [2, 4]


def test_short_name_with_a_foreign_plugin_class_is_rejected():
    from flytekit.core.python_function_task import PythonFunctionTask as FlytekitFunctionTask
    from flytekit.core.task import TaskPlugins

    class ForeignConfig:
        pass

    class ForeignTask(FlytekitFunctionTask):
        pass

    TaskPlugins.register_pythontask_plugin(ForeignConfig, ForeignTask)

    def body(x: int) -> int:
        return x

    with pytest.raises(TypeError, match="short_name.*ForeignTask"):
        task(task_config=ForeignConfig(), short_name="nope")(body)
    assert type(task(task_config=ForeignConfig())(body)) is ForeignTask


def test_map_in_a_workflow_uses_minimal_array_node_state_like_flytekit_for_plain_tasks():
    from flyteidl.core.workflow_pb2 import ArrayNode

    @workflow
    def wf(xs: typing.List[int]) -> typing.List[int]:
        return flytekit_ext.map(double, xs)

    assert wf.nodes[0].flyte_entity.execution_mode == ArrayNode.MINIMAL_STATE


def test_callable_transformer_is_a_kind_of_flytekit_pickle_transformer():
    from flytekit.core.type_engine import TypeEngine
    from flytekit.types.pickle.pickle import FlytePickleTransformer

    assert isinstance(TypeEngine.get_transformer(typing.Callable[[int], int]), FlytePickleTransformer)


def test_timeline_of_a_top_level_call_reaches_the_callers_context():
    import flytekit
    from flytekit.core.utils import timeit

    @task(enable_deck=True)
    def timed() -> int:
        with timeit("inside the task"):
            return 1

    assert timed() == 1
    entries = [entry["Name"] for entry in flytekit.current_context().timeline_deck.time_info]
    assert "inside the task" in entries
