"""Tuples and NamedTuples in a facade task's inputs and outputs; a plain flytekit task still refuses them."""

from __future__ import annotations

from typing import Tuple

import flytekit
import pytest
from flytekit.core.type_engine import TypeEngine

import flytekit_ext.flyte as flyte
from tests.flyte2 import tuples


def test_tuples_and_named_tuples_go_in_and_come_out_as_themselves():
    added, described, listed = flyte.run(tuples.pipeline).outputs()
    assert added == "pair: 3 (tuple)"
    assert described == "Reading t1=21.5C at Point(x=0.0, y=1.0) [('a', 1), ('b', 2)]"
    assert listed == [("x", 1)]


def test_a_tuple_return_still_names_several_outputs():
    assert flyte.run(tuples.make_pair).outputs() == ((1, 2), "pair")
    assert list(tuples.make_pair.python_interface.outputs) == ["o0", "o1"]
    assert list(tuples.read.python_interface.outputs) == ["sensor", "value", "where", "unit"]


def test_typed_dicts_mixed_literals_and_dicts_for_models_and_dataclasses_are_taken_as_flyte_2_takes_them():
    place = flyte.run(tuples.make_place, "harbour").outputs()[0]
    assert place == {"name": "harbour", "where": tuples.Point(1.0, 2.0)}
    assert flyte.run(tuples.describe_place, place, kind=3).outputs()[0] == "harbour at Point(x=1.0, y=2.0) (3)"
    assert flyte.run(tuples.describe_place, place, kind="city").outputs()[0].endswith("(city)")
    # A dict for a pydantic model or a dataclass input is made into one, as Flyte 2 does.
    assert flyte.run(tuples.configured, {"depth": 2}, point={"x": 0.5, "y": 1.5}).outputs()[0] == (
        "2/none Point(x=0.5, y=1.5)"
    )


def test_a_typed_dict_that_holds_itself_with_a_field_not_required():
    assert flyte.run(tuples.leaf, "x").outputs()[0] == {"label": "x"}  # no "children": not required, not added
    tree = {"label": "a", "children": [{"label": "b", "children": [{"label": "c"}]}, {"label": "d"}]}
    assert flyte.run(tuples.depth, tree).outputs()[0] == 3


def test_an_untyped_input_is_pickled_and_no_return_annotation_means_no_outputs(capsys):
    assert list(tuples.untyped.python_interface.outputs) == []
    assert flyte.run(tuples.untyped, "ab").outputs() == ()
    assert "abab" in capsys.readouterr().out


def test_a_bare_list_is_taken_as_flyte_2_takes_it():
    rows = [{"k": "b"}, {"k": "a"}, {"k": "b"}]
    assert flyte.run(tuples.regrouped, rows, "k").outputs()[0] == ["a", "b"]
    assert flyte.run(tuples.counted, rows).outputs()[0] == 3  # typing.List, bare, likewise


def test_a_tuple_of_the_wrong_length_is_an_error_naming_the_type():
    with pytest.raises(flyte.errors.RuntimeUserError, match=r"tuple\[int, int\] with 2 elements"):
        flyte.run(tuples.add_pair, (1, 2, 3), "x")


def test_a_plain_flytekit_task_still_refuses_tuples():
    with pytest.raises(Exception, match="restricted"):

        @flytekit.task
        def plain(pair: Tuple[int, int]) -> int:
            return pair[0]

    # The type engine's value check lets a tuple through only for a type carrying a facade tuple transformer.
    with pytest.raises(AssertionError, match="Tuples are not a supported type"):
        TypeEngine.to_literal_checks((1, 2), str, TypeEngine.to_literal_type(str))
