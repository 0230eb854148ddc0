"""``DuckDBQuery``: a SQL string run by DuckDB in-process, as a flytekit_ext task.

* Scalar inputs are DuckDB named prepared-statement parameters (``$min_x``), bound by DuckDB, never formatted
  into the SQL text.
* Table inputs (``pandas.DataFrame``, ``pyarrow.Table``, ``StructuredDataset``) are registered as views named
  after the input.
* The result of the last statement is the task's one output, as the declared type (``pandas.DataFrame``,
  ``pyarrow.Table`` or ``StructuredDataset``); ``output=None`` declares no output.

The query is parsed when the task is defined, so a syntax error or a parameter without a declared input fails
at import, with DuckDB's message and the query text.
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Any, Dict, List, Optional, Type

import duckdb
import pandas as pd
import pyarrow as pa
from flytekit.core.interface import Interface
from flytekit.types.structured.structured_dataset import StructuredDataset

from flytekit_ext import PythonInstanceTask

TASK_TYPE = "duckdb-ext"
OUTPUT_NAME = "result"


class DuckDBQueryError(Exception):
    """A query DuckDB rejected (when parsed at definition, or when run); carries DuckDB's message and the query."""


@dataclasses.dataclass(frozen=True)
class DuckDBConfig:
    """How the connection is opened: ``duckdb.connect(database, read_only=..., config=settings)``."""

    database: str = ":memory:"
    read_only: bool = False
    settings: Dict[str, Any] = dataclasses.field(default_factory=dict)


def _base_type(python_type: Any) -> Any:
    if typing.get_origin(python_type) is typing.Annotated:
        return typing.get_args(python_type)[0]
    return python_type


def _is_table_type(python_type: Any) -> bool:
    base = _base_type(python_type)
    return isinstance(base, type) and issubclass(base, (pd.DataFrame, pa.Table, StructuredDataset))


def _output_kind(output: Any) -> Optional[str]:
    if output is None:
        return None
    base = _base_type(output)
    if isinstance(base, type):
        if issubclass(base, pd.DataFrame):
            return "pandas"
        if issubclass(base, pa.Table):
            return "arrow"
        if issubclass(base, StructuredDataset):
            return "structured_dataset"
    raise TypeError(
        f"DuckDBQuery output must be pandas.DataFrame, pyarrow.Table, StructuredDataset or None, got {output!r}"
    )


def _failure(task_name: str, error: Exception, query: str, statement: Optional[str] = None) -> DuckDBQueryError:
    where = f"\nFailing statement:\n  {statement.strip()}" if statement and statement.strip() != query.strip() else ""
    return DuckDBQueryError(f"DuckDB query of task '{task_name}' failed: {error}{where}\nQuery:\n  {query.strip()}")


def _as_table(value: Any) -> Any:
    """Something DuckDB can register: DataFrames and Arrow tables as they are, a StructuredDataset opened as Arrow."""
    if isinstance(value, StructuredDataset):
        if value.dataframe is not None:
            return value.dataframe
        return value.open(pa.Table).all()
    return value


def _arrow(relation: Any) -> pa.Table:
    for method in ("to_arrow_table", "fetch_arrow_table", "arrow"):  # duckdb 2.x, then 1.x names
        if hasattr(relation, method):
            result = getattr(relation, method)()
            return result.read_all() if isinstance(result, pa.RecordBatchReader) else result
    raise AttributeError("this duckdb version has no way to fetch an Arrow table")


class DuckDBQuery(PythonInstanceTask[DuckDBConfig]):
    """A DuckDB query task. Assign it to a module-level variable (the resolver finds it by that name)."""

    def __init__(
        self,
        name: str,
        query: str,
        inputs: Optional[Dict[str, Type]] = None,
        output: Any = pd.DataFrame,
        config: Optional[DuckDBConfig] = None,
        **kwargs: Any,
    ) -> None:
        inputs = dict(inputs or {})
        self._query = query
        self._output_kind = _output_kind(output)
        self._tables = [n for n, t in inputs.items() if _is_table_type(t)]
        self._parameters = [n for n in inputs if n not in self._tables]
        try:
            parsed = duckdb.extract_statements(query)
        except duckdb.Error as error:
            raise _failure(name, error, query) from error
        if not parsed:
            raise DuckDBQueryError(f"DuckDB query of task '{name}' has no statement: {query!r}")
        self._statements: List[str] = [s.query for s in parsed]
        self._statement_parameters: List[List[str]] = [sorted(s.named_parameters) for s in parsed]
        used = {p for names in self._statement_parameters for p in names}
        positional = sorted(p for p in used if p.isdigit())
        if positional:
            raise ValueError(
                f"DuckDBQuery '{name}': use named parameters ($name, one per input), not positional ones (? or $1)"
            )
        tables_as_parameters = sorted(used & set(self._tables))
        if tables_as_parameters:
            raise ValueError(
                f"DuckDBQuery '{name}': table input(s) {tables_as_parameters} are used as $parameters; "
                f"refer to a table input by its bare name (FROM tbl)"
            )
        undeclared = sorted(used - set(self._parameters))
        if undeclared:
            raise ValueError(
                f"DuckDBQuery '{name}': the query uses ${', $'.join(undeclared)} but no such input is declared"
            )
        unused = sorted(set(self._parameters) - used)
        if unused:
            raise ValueError(f"DuckDBQuery '{name}': input(s) {unused} are neither a table nor used as $parameter")
        outputs = {OUTPUT_NAME: output} if output is not None else {}
        super().__init__(
            name=name,
            task_config=config or DuckDBConfig(),
            task_type=TASK_TYPE,
            interface=Interface(inputs=inputs, outputs=outputs),
            **kwargs,
        )

    @property
    def query(self) -> str:
        return self._query

    def get_custom(self, settings: Any) -> Dict[str, Any]:
        """What a backend plugin would need to run the query itself; the container path ignores it."""
        config: DuckDBConfig = self.task_config
        return {
            "query": self._query,
            "statements": list(self._statements),
            "parameters": list(self._parameters),
            "tables": list(self._tables),
            "output": self._output_kind or "",
            "config": {"database": config.database, "read_only": config.read_only, "settings": dict(config.settings)},
        }

    def execute(self, **inputs: Any) -> Any:
        config: DuckDBConfig = self.task_config
        connection = duckdb.connect(config.database, read_only=config.read_only, config=dict(config.settings))
        try:
            for table in self._tables:
                connection.register(table, _as_table(inputs[table]))
            last = len(self._statements) - 1
            for index, (statement, names) in enumerate(zip(self._statements, self._statement_parameters)):
                params = {n: inputs[n] for n in names}
                try:
                    if index < last or self._output_kind is None:
                        connection.execute(statement, params)
                        continue
                    relation = connection.sql(statement, params=params)
                    if relation is None:
                        raise DuckDBQueryError(
                            f"DuckDB query of task '{self.name}': the last statement returns no rows to output"
                            f"\nQuery:\n  {self._query.strip()}"
                        )
                    if self._output_kind == "pandas":
                        return relation.df()
                    table = _arrow(relation)
                    return table if self._output_kind == "arrow" else StructuredDataset(dataframe=table)
                except duckdb.Error as error:
                    raise _failure(self.name, error, self._query, statement) from error
            return None
        finally:
            connection.close()
