"""DuckDB queries as flytekit_ext tasks: ``DuckDBQuery(name=..., query=..., inputs=kwtypes(...), output=...)``."""

from flytekit_ext_duckdb.task import DuckDBConfig, DuckDBQuery, DuckDBQueryError

__all__ = ["DuckDBConfig", "DuckDBQuery", "DuckDBQueryError"]
