"""``flyte.io.DataFrame``: a table a task takes or returns, on Flyte 1 a structured-dataset literal.

It is flytekit's ``StructuredDataset`` (a subclass of it), so flytekit's structured-dataset engine stores it
(parquet unless the type says otherwise, as ``Annotated[DataFrame, "csv"]``), a ``DataFrame`` output feeds a
``pd.DataFrame`` or ``StructuredDataset`` input and the other way round, and every dataframe library flytekit
has a handler for works. Flyte 2's methods: ``from_df``, ``from_local``, ``from_existing_remote``, and
``await df.all()`` (or ``all_sync()``) for the table, as a pandas ``DataFrame`` unless ``open(type)`` says.
"""

from __future__ import annotations

from typing import Any, AsyncIterator, Dict, Iterator, Optional, Type

from flytekit.types.structured.structured_dataset import StructuredDataset, StructuredDatasetTransformerEngine

from flytekit_ext.flyte.io import _storage as storage
from flytekit_ext.flyte.io._pydantic import pydantic_schema

PARQUET = "parquet"


def _pandas() -> Type[Any]:
    import pandas

    return pandas.DataFrame


class DataFrame(StructuredDataset):
    """A table: in memory (``from_df``), or at a ``uri`` in a ``format``; see the module's description."""

    def __init__(
        self,
        dataframe: Any = None,
        uri: Optional[str] = None,
        metadata: Any = None,
        format: Optional[str] = None,
        hash: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        if format is not None:
            kwargs["file_format"] = format
        self._uri: Optional[str] = None
        super().__init__(dataframe=dataframe, uri=uri, metadata=metadata, **kwargs)
        self.hash = hash

    @property
    def uri(self) -> Optional[str]:
        """Where the table is stored: given, or where the literal it was read from says."""
        if self._uri is None and self._literal_sd is not None:
            return str(self._literal_sd.uri)
        return self._uri

    @uri.setter
    def uri(self, value: Optional[str]) -> None:
        self._uri = value

    @property
    def format(self) -> str:
        return str(self.file_format)

    @property
    def val(self) -> Any:
        """The table in memory, if it is."""
        return self.dataframe

    def __repr__(self) -> str:
        return f"DataFrame(uri={self.uri!r}, format={self.format!r}, hash={self.hash!r})"

    def __str__(self) -> str:
        return f"uri={self.uri!r} format={self.format!r} hash={self.hash!r}"

    # Made by these.

    @classmethod
    def from_df(cls, val: Any, uri: Optional[str] = None) -> DataFrame:
        """A table in memory (pandas, pyarrow, ...), written out when a task hands it on."""
        return cls(dataframe=val, uri=uri)

    wrap_df = from_df

    @classmethod
    def from_existing_remote(cls, remote_path: str, format: str = "", **kwargs: Any) -> DataFrame:
        """A table stored already, at ``remote_path``."""
        return cls(uri=remote_path, format=format or PARQUET, **kwargs)

    @classmethod
    def from_local_sync(
        cls, df: Any, columns: Any = None, remote_destination: Optional[str] = None, hash_method: Any = None
    ) -> DataFrame:
        """A table in memory, written out when a task hands it on (or now, to ``remote_destination``)."""
        made = cls(dataframe=df, uri=remote_destination)
        if remote_destination is not None:
            from flytekit.core.context_manager import FlyteContextManager
            from flytekit.core.type_engine import TypeEngine

            literal = TypeEngine.to_literal(
                FlyteContextManager.current_context(), made, DataFrame, TypeEngine.to_literal_type(DataFrame)
            )
            made.uri = literal.scalar.structured_dataset.uri
        return made

    @classmethod
    async def from_local(
        cls, df: Any, columns: Any = None, remote_destination: Optional[str] = None, hash_method: Any = None
    ) -> DataFrame:
        return await storage.in_thread(cls.from_local_sync, df, columns, remote_destination, hash_method)

    # In values pydantic writes (a TypedDict, a tuple holding a model): stored, then its uri and format.

    def _serialize(self) -> Dict[str, Any]:
        from flytekit.core.context_manager import FlyteContextManager
        from flytekit.core.type_engine import TypeEngine

        if self.dataframe is not None and self.uri is None:
            literal = TypeEngine.to_literal(
                FlyteContextManager.current_context(), self, DataFrame, TypeEngine.to_literal_type(DataFrame)
            )
            self.uri, self.file_format = (
                literal.scalar.structured_dataset.uri,
                literal.scalar.structured_dataset.metadata.structured_dataset_type.format,
            )
        return {"uri": self.uri, "format": self.format}

    @classmethod
    def _deserialize(cls, value: Dict[str, Any]) -> DataFrame:
        return cls(uri=value["uri"], format=value.get("format") or PARQUET)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        return pydantic_schema(cls)

    # Reading.

    def all_sync(self) -> Any:
        """The whole table, as the type ``open`` set (default: a pandas ``DataFrame``)."""
        wanted = self._dataframe_type
        if self.dataframe is not None and (wanted is None or isinstance(self.dataframe, wanted)):
            return self.dataframe
        if wanted is None:
            self.open(_pandas())
        return StructuredDataset.all(self)

    async def all(self) -> Any:
        return await storage.in_thread(self.all_sync)

    def iter_sync(self) -> Iterator[Any]:
        if self._dataframe_type is None:
            self.open(_pandas())
        return StructuredDataset.iter(self)

    async def iter(self) -> AsyncIterator[Any]:
        for part in await storage.in_thread(lambda: list(self.iter_sync())):
            yield part


def is_dataframe(value: Any) -> bool:
    """Whether ``value`` is a table of a library flytekit stores as a structured dataset (pandas, pyarrow, ...)."""
    return type(value) in StructuredDatasetTransformerEngine.ENCODERS
