"""The same task body decorated by flytekit and by flytekit_ext gives the same results for every kind of type."""

import datetime
import enum
import typing
from dataclasses import dataclass

import flytekit
import pandas as pd
import pydantic
import pytest
from flytekit.core.context_manager import FlyteContextManager
from flytekit.core.type_engine import TypeEngine
from flytekit.models.literals import LiteralMap
from flytekit.types.directory import FlyteDirectory
from flytekit.types.file import FlyteFile
from flytekit.types.structured import StructuredDataset

import flytekit_ext

DECORATORS = {"flytekit": flytekit.task, "flytekit_ext": flytekit_ext.task}


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@dataclass
class Point:
    x: int
    y: float
    tags: typing.List[str]


class Model(pydantic.BaseModel):
    name: str
    weights: typing.Dict[str, float]


def both(fn):
    """The task made by each library from ``fn``."""
    return {lib: decorate(fn) for lib, decorate in DECORATORS.items()}


def run_both(fn, **inputs):
    results = {lib: t(**inputs) for lib, t in both(fn).items()}
    return results["flytekit"], results["flytekit_ext"]


def identity_case(python_type, value):
    def body(v: python_type) -> python_type:  # type: ignore[valid-type]
        return v

    return body, {"v": value}


CASES = {
    "int": (int, 7),
    "float": (float, 2.5),
    "str": (str, "héllo"),
    "bool": (bool, True),
    "datetime": (datetime.datetime, datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)),
    "list": (typing.List[int], [1, 2, 3]),
    "nested dict": (typing.Dict[str, typing.List[int]], {"a": [1], "b": []}),
    "dataclass": (Point, Point(x=1, y=2.0, tags=["t"])),
    "pydantic": (Model, Model(name="m", weights={"w": 0.5})),
    "enum": (Color, Color.BLUE),
    "union int": (typing.Union[int, str], 3),
    "union str": (typing.Union[int, str], "three"),
    "optional none": (typing.Optional[int], None),
    "optional value": (typing.Optional[int], 4),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_identity_round_trip_matches_flytekit(case):
    python_type, value = CASES[case]
    body, inputs = identity_case(python_type, value)
    theirs, ours = run_both(body, **inputs)
    assert ours == theirs == value
    assert type(ours) is type(theirs)


def test_named_outputs_match_flytekit():
    Out = typing.NamedTuple("Out", [("total", int), ("label", str)])

    def body(a: int, b: int) -> Out:
        return Out(total=a + b, label=f"{a}+{b}")

    theirs, ours = run_both(body, a=1, b=2)
    assert tuple(ours) == tuple(theirs) == (3, "1+2")
    assert ours.total == 3 and ours.label == "1+2"
    assert type(ours).__name__ == type(theirs).__name__ == "Out"


def test_unnamed_tuple_outputs_match_flytekit():
    def body(a: int) -> typing.Tuple[int, str]:
        return a, str(a)

    theirs, ours = run_both(body, a=5)
    assert ours == theirs == (5, "5")
    assert ours._fields == theirs._fields == ("o0", "o1")


def test_no_output_returns_none_like_flytekit():
    def body(a: int) -> None:
        pass

    assert run_both(body, a=1) == (None, None)


def test_default_inputs_are_used_like_flytekit():
    def body(a: int, b: int = 10) -> int:
        return a + b

    assert run_both(body, a=1) == (11, 11)


def test_flyte_file_round_trip(tmp_path):
    source = tmp_path / "in.txt"
    source.write_text("payload")

    def body(f: FlyteFile) -> FlyteFile:
        out = flytekit.current_context().working_directory + "/out.txt"
        with open(f) as src, open(out, "w") as dst:
            dst.write(src.read().upper())
        return FlyteFile(out)

    theirs, ours = run_both(body, f=FlyteFile(str(source)))
    assert open(ours).read() == open(theirs).read() == "PAYLOAD"


def test_flyte_directory_round_trip(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a.txt").write_text("a")
    (tmp_path / "d" / "b.txt").write_text("b")

    def body(d: FlyteDirectory) -> typing.List[str]:
        import os

        return sorted(os.listdir(d.download()))

    assert run_both(body, d=FlyteDirectory(str(tmp_path / "d"))) == (["a.txt", "b.txt"], ["a.txt", "b.txt"])


def test_structured_dataset_and_dataframe_round_trip():
    frame = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]})

    def body(sd: StructuredDataset) -> pd.DataFrame:
        df = sd.open(pd.DataFrame).all()
        return df[df.a > 1]

    theirs, ours = run_both(body, sd=StructuredDataset(dataframe=frame))
    pd.testing.assert_frame_equal(ours.reset_index(drop=True), theirs.reset_index(drop=True))
    assert list(ours.a) == [2, 3]


def test_local_cache_reuses_outputs(monkeypatch, tmp_path):
    from flytekit.core.local_cache import LocalTaskCache

    LocalTaskCache.clear()
    calls = []

    @flytekit_ext.task(cache=True, cache_version="1")
    def cached(x: int) -> int:
        calls.append(x)
        return x * 2

    assert cached(x=2) == 4
    assert cached(x=2) == 4
    assert cached(x=3) == 6
    assert calls == [2, 3]
    LocalTaskCache.clear()


def test_output_type_error_is_caught_locally_like_on_a_cluster():
    @flytekit_ext.task
    def wrong(x: int) -> int:
        return "not an int"  # type: ignore[return-value]

    with pytest.raises(TypeError, match="Failed to convert outputs of task .*wrong.* at position 0"):
        wrong(x=1)


def test_task_called_inside_a_task_returns_native_values():
    @flytekit_ext.task
    def inner(x: int) -> int:
        return x + 1

    @flytekit_ext.task
    def outer(x: int) -> int:
        value = inner(x=x)
        assert isinstance(value, int)
        return value * 10

    assert outer(x=1) == 20


def test_annotated_dataframe_column_spec_flows_between_tasks():
    from collections import OrderedDict

    import flytekit_ext as fe

    columns = typing.Annotated[pd.DataFrame, OrderedDict(a=int)]

    @fe.task
    def make() -> pd.DataFrame:
        return pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})

    @fe.task
    def first_column(df: columns) -> int:
        return int(df["a"].sum())

    @fe.workflow
    def wf() -> int:
        return first_column(df=make())

    assert wf() == 3


def test_artifact_partitions_travel_on_the_output_literal():
    from flytekit import Artifact, current_context
    from flytekit.core.context_manager import FlyteContextManager, OutputMetadataTracker
    from flytekit.models.literals import LiteralMap

    import flytekit_ext as fe

    Shaped = Artifact(name="shaped", partition_keys=["region"])

    @fe.task
    def produce() -> typing.Annotated[int, Shaped]:
        return Shaped.create_from(5, region=current_context().execution_id.name)

    ctx = FlyteContextManager.current_context()
    tracked = ctx.with_output_metadata_tracker(OutputMetadataTracker()).build()
    outputs = produce.dispatch_execute(tracked, LiteralMap(literals={}))
    assert "_uap" in outputs.literals["o0"].metadata


def test_input_that_cannot_be_converted_names_the_input_in_dispatch():
    from flytekit.core.context_manager import FlyteContextManager
    from flytekit.models.literals import LiteralMap

    import flytekit_ext as fe

    @fe.task
    def takes_int(x: int) -> int:
        return x

    ctx = FlyteContextManager.current_context()
    wrong = flytekit.core.type_engine.TypeEngine.to_literal(
        ctx, "three", str, flytekit.core.type_engine.TypeEngine.to_literal_type(str)
    )
    with pytest.raises(Exception, match="Error converting input 'x'"):
        takes_int.dispatch_execute(ctx, LiteralMap(literals={"x": wrong}))


LISTS = {
    "ints": (typing.List[int], [3, -1, 2**40]),
    "floats": (typing.List[float], [0.5, -2.0]),
    "strs": (list[str], ["a", ""]),
    "bools": (typing.List[bool], [True, False]),
    "empty": (typing.List[int], []),
}


@pytest.mark.parametrize("case", sorted(LISTS))
def test_a_list_of_primitives_gives_the_literals_flytekit_gives(case):
    # What a pod writes as outputs.pb, and what a local call converts on the way: the same literal as flytekit's,
    # though flytekit_ext converts such lists without an event loop.
    python_type, value = LISTS[case]
    body, _ = identity_case(python_type, value)
    context = FlyteContextManager.current_context()
    literal_type = TypeEngine.to_literal_type(python_type)
    inputs = LiteralMap({"v": TypeEngine.to_literal(context, value, python_type, literal_type)})
    outputs = {lib: t.dispatch_execute(context, inputs) for lib, t in both(body).items()}
    assert outputs["flytekit_ext"] == outputs["flytekit"]
    assert TypeEngine.to_python_value(context, outputs["flytekit_ext"].literals["o0"], python_type) == value


class Ints(list):
    pass


@pytest.mark.parametrize(
    "value",
    [[1, "2"], [1.5, 2], (1, 2), [1, None], [1, True], Ints([1, 2])],
    ids=["str", "float", "tuple", "none", "bool", "list subclass"],
)
def test_a_mistyped_list_fails_or_passes_as_with_flytekit(value):
    def body(v: typing.List[int]) -> int:
        return len(v)

    outcomes = {}
    for lib, t in both(body).items():
        try:
            outcomes[lib] = t(v=value)
        except Exception as error:  # noqa: BLE001 - compared below
            outcomes[lib] = error
    ours, theirs = outcomes["flytekit_ext"], outcomes["flytekit"]
    assert type(ours) is type(theirs)
    if isinstance(theirs, Exception):
        assert str(theirs).splitlines()[-1].strip() in str(ours)
    else:
        assert ours == theirs
