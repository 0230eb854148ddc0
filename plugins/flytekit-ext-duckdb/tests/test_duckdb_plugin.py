"""DuckDBQuery in every calling context (no mocks: the real duckdb), and end to end through pyflyte-execute."""

import asyncio
import functools
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from duckdb_tasks import above, count_above, echo_label, missing_table
from flytekit import kwtypes, map_task
from flytekit.configuration import Image, ImageConfig, SerializationSettings
from flytekit.types.structured.structured_dataset import StructuredDataset
from flytekit_ext_duckdb import DuckDBQuery, DuckDBQueryError

import flytekit_ext
from flytekit_ext import eager, workflow
from flytekit_ext.testing import execute_task, package_tasks

HERE = Path(__file__).parent  # the tasks module's source root: pyflyte-execute imports it from here
run_in_pod = functools.partial(execute_task, source_root=HERE)

DF = pd.DataFrame({"x": [1, 2, 3, 4], "label": ["a", "b", "c", "d"]})
TRICKY = "it's'; DROP TABLE t; --"


def _sd_count(value: StructuredDataset) -> int:
    if value.dataframe is not None:  # made by execute itself (forward): not converted to a literal
        return int(pa.table(value.dataframe).column("n")[0].as_py())
    return int(value.open(pd.DataFrame).all()["n"][0])


def test_top_level():
    result = above(min_x=2, tbl=DF)
    assert list(result["x"]) == [3, 4] and list(result["label"]) == ["c", "d"]
    assert _sd_count(count_above(min_x=1, tbl=StructuredDataset(dataframe=DF))) == 3


def test_parameters_are_bound_not_formatted():
    table = echo_label(label=TRICKY)
    assert isinstance(table, pa.Table)
    assert table.column("label").to_pylist() == [TRICKY] and table.column("n").to_pylist() == [len(TRICKY)]


def test_in_workflow():
    @workflow
    def wf(min_x: int, tbl: pd.DataFrame) -> StructuredDataset:
        rows = above(min_x=min_x, tbl=tbl)
        return count_above(min_x=0, tbl=rows)

    result = wf(min_x=1, tbl=DF)
    assert _sd_count(result) == 3


def test_in_eager():
    @eager
    async def pipeline(min_x: int) -> int:
        rows = await above.aio(min_x=min_x, tbl=DF)
        counted = await asyncio.gather(
            *(count_above.aio(min_x=m, tbl=StructuredDataset(dataframe=rows)) for m in (0, 3))
        )
        return sum(_sd_count(c) for c in counted)

    assert asyncio.run(pipeline(min_x=1)) == 3 + 1


def test_forward_runs_execute_on_native_values():
    result = above.forward(min_x=3, tbl=DF)
    assert list(result["x"]) == [4]
    assert _sd_count(count_above.forward(min_x=2, tbl=StructuredDataset(dataframe=DF))) == 2


def test_override():
    assert list(above.override(short_name="over_two", retries=1)(min_x=2, tbl=DF)["x"]) == [3, 4]


def test_flytekit_map_task_over_one_list_input():
    @workflow
    def wf(thresholds: list[int]) -> list[pd.DataFrame]:
        return map_task(functools.partial(above, tbl=DF))(min_x=thresholds)

    frames = wf(thresholds=[0, 2, 4])
    assert [len(f) for f in frames] == [4, 2, 0]


def test_flytekit_ext_map():
    counts = list(flytekit_ext.map(count_above, [0, 2], [StructuredDataset(dataframe=DF)] * 2))
    assert [_sd_count(c) for c in counts] == [4, 2]


def test_bad_sql_at_definition_carries_duckdb_message_and_query():
    with pytest.raises(DuckDBQueryError, match=r"(?s)syntax error.*SELEC \* FROM tbl"):
        DuckDBQuery(name="bad", query="SELEC * FROM tbl", inputs=kwtypes(tbl=pd.DataFrame))


def test_runtime_error_carries_duckdb_message_and_query():
    with pytest.raises(DuckDBQueryError, match=r"(?s)no_such_table.*SELECT \* FROM no_such_table WHERE x > \$min_x"):
        missing_table(min_x=1)


def test_parameters_must_match_inputs():
    with pytest.raises(ValueError, match=r"\$y but no such input"):
        DuckDBQuery(name="p1", query="SELECT $y", inputs=kwtypes(x=int))
    with pytest.raises(ValueError, match="neither a table nor used"):
        DuckDBQuery(name="p2", query="SELECT 1", inputs=kwtypes(x=int))
    with pytest.raises(ValueError, match="named parameters"):
        DuckDBQuery(name="p3", query="SELECT ?", inputs=kwtypes())


def test_missing_input_is_reported_before_running():
    with pytest.raises(TypeError, match="missing required input.*'tbl'"):
        above(min_x=1)


def test_get_custom_and_task_type():
    settings = SerializationSettings(image_config=ImageConfig(default_image=Image(name="d", fqn="img", tag="t")))
    custom = above.get_custom(settings)
    assert above.task_type == "duckdb-ext"
    assert custom["query"] == above.query and custom["parameters"] == ["min_x"] and custom["tables"] == ["tbl"]
    assert custom["config"] == {"database": ":memory:", "read_only": False, "settings": {}}
    assert above.get_command(settings)[-4:] == ["task-module", "duckdb_tasks", "task-name", "above"]


def test_end_to_end_pyflyte_package_and_execute(tmp_path):
    specs = package_tasks("duckdb_tasks", HERE, tmp_path)
    assert specs["above"].template.type == "duckdb-ext"
    assert specs["above"].template.custom["query"] == above.query

    run = run_in_pod(specs["above"], {"min_x": 2, "tbl": DF}, {"min_x": int, "tbl": pd.DataFrame}, tmp_path / "above")
    assert run.error is None
    frame = run.output("result", pd.DataFrame)
    assert list(frame["x"]) == [3, 4]

    run = run_in_pod(
        specs["count_above"],
        {"min_x": 1, "tbl": StructuredDataset(dataframe=DF)},
        {"min_x": int, "tbl": StructuredDataset},
        tmp_path / "count",
    )
    assert run.error is None
    assert _sd_count(run.output("result", StructuredDataset)) == 3

    run = run_in_pod(specs["echo_label"], {"label": TRICKY}, {"label": str}, tmp_path / "echo")
    assert run.output("result", pa.Table).column("label").to_pylist() == [TRICKY]

    run = run_in_pod(specs["missing_table"], {"min_x": 1}, {"min_x": int}, tmp_path / "bad")
    assert run.outputs is None and "no_such_table" in run.error and "SELECT * FROM no_such_table" in run.error
