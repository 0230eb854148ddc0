"""Tasks and plain functions as task inputs: cloudpickled, tasks by reference to themselves."""

import asyncio
import inspect
import logging
import threading
import typing

import pytest
from flytekit.core.type_engine import TypeTransformerFailedError

from flytekit_ext import eager, task, workflow
from tests.pattern_tasks import async_double, double


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


def test_callable_transformer_is_a_kind_of_flytekit_pickle_transformer():
    from flytekit.core.type_engine import TypeEngine
    from flytekit.types.pickle.pickle import FlytePickleTransformer

    assert isinstance(TypeEngine.get_transformer(typing.Callable[[int], int]), FlytePickleTransformer)
