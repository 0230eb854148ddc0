"""Property: for any value of a supported type, a flytekit_ext task returns what the same flytekit task does."""

import typing

import flytekit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import flytekit_ext


def echo_ints(values: typing.List[int]) -> typing.List[int]:
    return values


def echo_mapping(values: typing.Dict[str, typing.Optional[float]]) -> typing.Dict[str, typing.Optional[float]]:
    return values


def echo_text(text: str, times: int) -> str:
    return text * times


PAIRS = {body.__name__: (flytekit.task(body), flytekit_ext.task(body)) for body in (echo_ints, echo_mapping, echo_text)}
LIMITS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
finite_floats = st.floats(allow_nan=False, allow_infinity=False, width=64)


@LIMITS
@given(st.lists(st.integers(min_value=-(2**63), max_value=2**63 - 1), max_size=20))
def test_lists_of_ints(values):
    theirs, ours = PAIRS["echo_ints"]
    assert ours(values=values) == theirs(values=values) == values


@LIMITS
@given(st.dictionaries(st.text(max_size=8), st.one_of(st.none(), finite_floats), max_size=8))
def test_dicts_of_optional_floats(values):
    theirs, ours = PAIRS["echo_mapping"]
    assert ours(values=values) == theirs(values=values)


@LIMITS
@given(st.text(max_size=30), st.integers(min_value=0, max_value=5))
def test_text(text, times):
    theirs, ours = PAIRS["echo_text"]
    assert ours(text=text, times=times) == theirs(text=text, times=times) == text * times
