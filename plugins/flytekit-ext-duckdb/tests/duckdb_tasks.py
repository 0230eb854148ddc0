"""Module-level DuckDB tasks for the tests (the resolver finds instance tasks by module and variable name)."""

import pandas as pd
import pyarrow as pa
from flytekit import kwtypes
from flytekit.types.structured.structured_dataset import StructuredDataset
from flytekit_ext_duckdb import DuckDBQuery

above = DuckDBQuery(
    name="above",
    query="SELECT x, label FROM tbl WHERE x > $min_x ORDER BY x",
    inputs=kwtypes(min_x=int, tbl=pd.DataFrame),
    output=pd.DataFrame,
)

count_above = DuckDBQuery(
    name="count_above",
    query="SELECT count(*) AS n FROM tbl WHERE x > $min_x",
    inputs=kwtypes(min_x=int, tbl=StructuredDataset),
    output=StructuredDataset,
)

echo_label = DuckDBQuery(
    name="echo_label",
    query="CREATE TABLE t AS SELECT $label AS label; SELECT label, length(label) AS n FROM t",
    inputs=kwtypes(label=str),
    output=pa.Table,
)

missing_table = DuckDBQuery(
    name="missing_table",
    query="SELECT * FROM no_such_table WHERE x > $min_x",
    inputs=kwtypes(min_x=int),
)
