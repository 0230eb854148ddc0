"""Data between tasks in a local run: dataframes in memory, files as copies of their own, still faithful.

A dataframe a task returns is not written to Parquet and read back (flytekit does both at every boundary), but
what Parquet would reject is rejected at the same boundary, naming the task and the output; a consumer that asks
for missing columns is refused, naming the input; no task sees another's later changes; and where something reads
the value as files (the local cache, another dataframe library) it is written then.
"""

from __future__ import annotations

import os
import typing
from typing import Annotated

import flytekit
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from flytekit import StructuredDataset, kwtypes, workflow
from flytekit.core.local_cache import LocalTaskCache
from flytekit.types.schema import FlyteSchema

from flytekit_ext import eager, task
from flytekit_ext._runtime import local_data
from tests.twins import FLYTEKIT, FLYTEKIT_EXT, load_twin

shared: typing.Dict[str, pd.DataFrame] = {}


@task
def make(n: int) -> pd.DataFrame:
    frame = pd.DataFrame({"a": np.arange(n), "b": np.arange(n) * 0.5})
    shared["made"] = frame
    return frame


@task
def change_what_make_returned() -> None:
    shared["made"].loc[:, "a"] = -1  # the producer's own object, changed after it returned


@task
def total(df: pd.DataFrame) -> int:
    return int(df["a"].sum())


@task
def zero_and_total(df: pd.DataFrame) -> int:
    df.loc[:, "a"] = 0  # a consumer changing its input
    return int(df["a"].sum())


@workflow
def producer_changes_later(n: int) -> int:
    frame = make(n=n)
    changed = change_what_make_returned()
    after = total(df=frame)
    changed >> after
    return after


@workflow
def consumers_fan_out(n: int) -> typing.Tuple[int, int]:
    frame = make(n=n)
    zeroed = zero_and_total(df=frame)
    untouched = total(df=frame)
    zeroed >> untouched
    return zeroed, untouched


def test_a_dataframe_travels_in_memory_and_comes_out_equal():
    frame = make(n=5)
    assert list(frame["a"]) == [0, 1, 2, 3, 4] and total(df=frame) == 10


def test_the_consumer_never_sees_the_producer_change_its_object_afterwards():
    assert producer_changes_later(n=4) == 6


def test_one_consumer_changing_its_input_changes_no_other_consumers():
    assert consumers_fan_out(n=4) == (0, 6)


def test_the_caller_keeps_its_own_frame():
    mine = pd.DataFrame({"a": [1, 2, 3], "b": [0.0, 0.0, 0.0]})
    assert zero_and_total(df=mine) == 0
    assert list(mine["a"]) == [1, 2, 3]


def test_outputs_between_tasks_are_kept_in_memory_not_written():
    ctx = flytekit.FlyteContextManager.current_context()
    converters = make.converters
    literal = converters.outputs.by_name["o0"].to_literal(ctx, make.forward(n=3), local=True)
    assert literal.scalar.structured_dataset.uri.startswith(local_data.PROTOCOL + "://")


# --- what the cluster would reject is rejected at the same boundary --------------------------------------------


@task
def mixed_objects() -> pd.DataFrame:
    return pd.DataFrame({"a": [1, "x"]})


@task
def number_column_names() -> pd.DataFrame:
    return pd.DataFrame({0: [1, 2]})


@task
def nanoseconds() -> pd.DataFrame:
    return pd.DataFrame({"t": pd.to_datetime([1_000_000_001], unit="ns")})


@task
def wants_c(df: Annotated[pd.DataFrame, kwtypes(c=int)]) -> int:
    return len(df)


@task
def wants_b(df: Annotated[pd.DataFrame, kwtypes(b=float)]) -> typing.List[str]:
    return list(df.columns)


@task
def not_a_frame() -> pd.DataFrame:
    return {"a": [1]}  # type: ignore[return-value]


@pytest.mark.parametrize(
    "producer, message",
    [
        (mixed_objects, "Could not convert 'x'"),
        (nanoseconds, "would lose data"),
        (not_a_frame, "dict"),
    ],
)
def test_an_output_parquet_cannot_hold_fails_naming_the_task_and_the_output(producer, message):
    with pytest.raises(Exception, match=message) as raised:
        producer()
    assert f"Failed to convert outputs of task '{producer.name}' at position 0" in str(raised.value)


@pytest.mark.parametrize(
    "producer, message",
    [(mixed_objects, "Could not convert 'x'"), (nanoseconds, "would lose data"), (not_a_frame, "dict")],
)
def test_flytekit_rejects_the_same_outputs(producer, message):
    theirs = flytekit.task(producer.task_function)
    with pytest.raises(Exception, match=message):  # noqa: B017 - the class is flytekit's choice; the message counts
        theirs()


@task
def columns_of(df: pd.DataFrame) -> typing.List[str]:
    return [repr(name) for name in df.columns] + [repr(df.index.name)]


@task
def odd_names() -> pd.DataFrame:
    return pd.DataFrame({0: [1, 2], "x": [3, 4]}, index=pd.Index([5, 6], name=3))


def test_names_come_back_as_they_come_back_from_parquet():
    theirs_odd, theirs_columns = flytekit.task(odd_names.task_function), flytekit.task(columns_of.task_function)
    assert columns_of(df=odd_names()) == theirs_columns(df=theirs_odd()) == ["'0'", "'x'", "'3'"]


def test_a_missing_column_a_consumer_asks_for_fails_naming_the_task_and_the_input():
    with pytest.raises(Exception, match=r"converting inputs of '.*wants_c'(.|\n)*input 'df'(.|\n)*\['c'\]"):
        wants_c(df=make(n=2))


def test_a_consumer_asking_for_some_columns_gets_those():
    assert wants_b(df=make(n=2)) == ["b"]


# --- consumers of every kind read it -------------------------------------------------------------------------


@task
def as_table(df: pa.Table) -> int:
    return df.num_rows


@task
def as_dataset(df: StructuredDataset) -> int:
    return len(df.open(pd.DataFrame).all())


@task
def as_polars(df: StructuredDataset) -> int:
    import polars as pl

    return df.open(pl.DataFrame).all().height


@flytekit.task
def flytekits_task(df: pd.DataFrame) -> int:
    return int(df["a"].sum())


@workflow
def mixed(n: int) -> typing.Tuple[int, pd.DataFrame]:
    frame = make(n=n)
    return flytekits_task(df=frame), frame


@eager
async def eager_pipeline(n: int) -> int:
    return await as_table.aio(df=await make.aio(n=n))


def test_every_kind_of_consumer_reads_it():
    frame = make(n=4)
    assert as_table(df=frame) == 4
    assert as_dataset(df=frame) == 4
    assert as_polars(df=frame) == 4  # another library: read as Parquet files made on demand
    summed, returned = mixed(n=4)
    assert summed == 6 and list(returned["a"]) == [0, 1, 2, 3]  # a flytekit task and a workflow output
    import asyncio

    assert asyncio.run(eager_pipeline(n=3)) == 3


@task
def schema_pass_on(df: FlyteSchema[kwtypes(a=int, b=float)]) -> FlyteSchema[kwtypes(a=int, b=float)]:
    return df


@workflow
def through_a_schema(n: int) -> pd.DataFrame:
    return schema_pass_on(df=make(n=n))


def test_a_schema_that_passes_the_dataset_on_passes_on_files_that_outlive_the_producer():
    # A FlyteSchema keeps only the dataset's URI: an in-memory one would name a value gone by the time the
    # workflow's output is read.
    assert list(through_a_schema(n=3)["a"]) == [0, 1, 2]


# --- written as files where something reads it as files -----------------------------------------------------


@task(cache=True, cache_version="local-data-1")
def cached_frame(n: int) -> pd.DataFrame:
    return pd.DataFrame({"a": np.arange(n)})


def test_the_local_cache_keeps_parquet_files_not_memory(monkeypatch, tmp_path):
    monkeypatch.setenv("FLYTE_LOCAL_CACHE_ENABLED", "true")
    LocalTaskCache.clear()
    try:
        first = cached_frame(n=3)
        inputs = cached_frame.converters.inputs
        ctx = flytekit.FlyteContextManager.current_context()
        key_inputs = flytekit.models.literals.LiteralMap({"n": inputs.by_name["n"].to_literal(ctx, 3)})
        kept = LocalTaskCache.get(cached_frame.name, "local-data-1", key_inputs, ())
        assert kept is not None
        uri = kept.literals["o0"].scalar.structured_dataset.uri
        assert not uri.startswith(local_data.PROTOCOL) and os.path.exists(uri)
        assert list(cached_frame(n=3)["a"]) == list(first["a"]) == [0, 1, 2]  # the cached files read back
    finally:
        LocalTaskCache.clear()


# --- files and directories: handed on as flytekit hands them on --------------------------------------------

theirs = load_twin("file_bodies.py", "file_bodies_flytekit", FLYTEKIT)
ours = load_twin("file_bodies.py", "file_bodies_ext", FLYTEKIT_EXT)


@pytest.mark.parametrize("module", [theirs, ours], ids=["flytekit", "flytekit_ext"])
def test_files_and_directories_are_read_through_their_path_as_under_flytekit(module):
    produced = module.write_file(text="x")
    assert open(produced.path).read() == "x"  # a top-level caller reads the path it got
    assert len(os.listdir(module.write_dir().path)) == 2
    assert module.dir_listed() == 2  # a task lists its input directory's path
    assert module.path_passed_on(text="y") == "y"  # a task returns its input's path as a file


@pytest.mark.parametrize("module", [theirs, ours], ids=["flytekit", "flytekit_ext"])
def test_a_consumer_writing_into_its_input_file_changes_it_for_the_next_as_under_flytekit(module):
    # Locally both hand on the producer's own file; on a cluster each pod would read a copy of its own.
    assert module.files_fan_out(text="original") == ("changed", "changed")
