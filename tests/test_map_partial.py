"""``map`` over a ``functools.partial`` of a task: the bound inputs are fixed, the mapped ones vary.

As in Flyte 2, each item calls the task with the partial's positional arguments, then the item's values, then
the partial's keyword arguments. Unlike Flyte 2, a partial that does not fit the task is an error at the ``map``
call, before any item runs.
"""

import asyncio
import functools
import logging
import typing

import pytest
from flytekit.configuration import Image, ImageConfig, SerializationSettings
from flytekit.core.array_node_map_task import ArrayNodeMapTask
from flytekit.tools.translator import get_serializable

import flytekit_ext
from flytekit_ext import eager, task, workflow

calls: typing.List[typing.Tuple[int, int, int]] = []


@task
def combine(a: int, b: int, c: int = 100) -> int:
    calls.append((a, b, c))
    return a * 10 + b + c


@task
def two(a: int, b: int) -> int:
    return a * 10 + b


def test_positional_arguments_bind_the_first_inputs_and_items_feed_the_next():
    assert list(flytekit_ext.map(functools.partial(two, 1), [2, 3])) == [12, 13]


def test_keyword_arguments_bind_inputs_after_the_mapped_one():
    assert list(flytekit_ext.map(functools.partial(two, b=5), [2, 3])) == [25, 35]


def test_inputs_with_defaults_may_stay_unbound():
    assert list(flytekit_ext.map(functools.partial(combine, 1), [2, 3])) == [112, 113]
    assert list(flytekit_ext.map(functools.partial(combine, 1, c=0), [2, 3])) == [12, 13]


def test_several_iterables_feed_several_inputs():
    assert list(flytekit_ext.map(functools.partial(combine, c=0), [1, 2], [3, 4])) == [13, 24]


def test_a_partial_of_a_partial_binds_both():
    assert list(flytekit_ext.map(functools.partial(functools.partial(combine, 1), c=0), [2, 3])) == [12, 13]


def test_a_partial_of_an_overridden_task_keeps_the_override(caplog):
    with caplog.at_level(logging.INFO, logger="flytekit"):
        results = list(flytekit_ext.map(functools.partial(two.override(short_name="tens"), b=1), [1, 2]))
    assert results == [11, 21]
    assert sum("tens: running" in record.getMessage() for record in caplog.records) == 2


def test_the_short_name_is_the_tasks(caplog):
    with caplog.at_level(logging.INFO, logger="flytekit"):
        list(flytekit_ext.map(functools.partial(two, b=1), [1]))
    assert any(record.getMessage().startswith("two: running") for record in caplog.records)


@eager
async def partial_in_eager(xs: typing.List[int]) -> typing.List[int]:
    return [r async for r in flytekit_ext.map.aio(functools.partial(combine, c=0, b=7), xs)]


def test_map_aio_over_a_partial_in_a_local_eager_task():
    assert asyncio.run(partial_in_eager(xs=[1, 2, 3])) == [17, 27, 37]


@workflow
def partial_in_workflow(xs: typing.List[int]) -> typing.List[int]:
    return flytekit_ext.map(functools.partial(two, b=4), xs)


@workflow
def overridden_partial_in_workflow(xs: typing.List[int]) -> typing.List[int]:
    return flytekit_ext.map(functools.partial(two.override(short_name="fours"), 4), xs)


def test_in_a_workflow_a_partial_is_an_array_node_with_the_bound_input_fixed():
    (node,) = partial_in_workflow.nodes
    assert isinstance(node.flyte_entity, ArrayNodeMapTask)
    assert node.flyte_entity.bound_inputs == {"b"}
    assert {binding.var for binding in node.bindings} == {"a", "b"}
    assert partial_in_workflow(xs=[1, 2]) == [14, 24]


def test_in_a_workflow_a_partial_binding_by_position_and_an_override_serialize():
    (node,) = overridden_partial_in_workflow.nodes
    assert node.flyte_entity.bound_inputs == {"a"}
    settings = SerializationSettings(image_config=ImageConfig(default_image=Image(name="i", fqn="img", tag="t")))
    serialized = get_serializable({}, settings, overridden_partial_in_workflow)
    (array_node,) = serialized.template.nodes
    assert array_node.array_node.node.metadata.name == "fours"
    assert overridden_partial_in_workflow(xs=[1, 2]) == [41, 42]


# --- bad partials: an error at the map call, naming the task and the input ------------------------------------


def test_a_keyword_that_is_no_input_of_the_task_is_an_error_naming_it():
    calls.clear()
    with pytest.raises(TypeError) as raised:
        flytekit_ext.map(functools.partial(combine, d=5), [2, 3])
    message = str(raised.value)
    assert "binds 'd'" in message and "task 'tests.test_map_partial.combine'" in message, message
    assert calls == []  # the error comes before any item runs


def test_a_keyword_binding_the_mapped_input_is_flyte_2s_error():
    with pytest.raises(TypeError) as raised:
        flytekit_ext.map.aio(functools.partial(two, a=5), [2, 3])
    assert str(raised.value) == (
        "Parameter 'a' is provided both as positional argument and keyword argument in partial function "
        "tests.test_map_partial.two."
    )


def test_an_input_left_neither_bound_nor_mapped_is_an_error_naming_it():
    with pytest.raises(TypeError, match=r"leaves 'b' unbound"):
        flytekit_ext.map(functools.partial(combine, c=1), [1])


def test_too_many_positional_arguments_is_an_error():
    with pytest.raises(TypeError, match="more than the task's 2 input"):
        flytekit_ext.map(functools.partial(two, 1, 2), [3])


def test_a_partial_of_a_plain_function_is_an_error():
    with pytest.raises(TypeError, match="expected a flytekit_ext task"):
        flytekit_ext.map(functools.partial(lambda a, b: a, b=1), [1])


def test_a_bad_partial_in_a_workflow_is_an_error_when_it_compiles():
    with pytest.raises(TypeError, match="'c'"):

        @workflow
        def bad(xs: typing.List[int]) -> typing.List[int]:
            return flytekit_ext.map(functools.partial(two, c=1), xs)

        bad.compile()
