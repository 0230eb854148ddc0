"""Data that goes from one task to the next in a local run: dataframes in memory.

Dataframes
----------

flytekit writes every pandas DataFrame or Arrow table a task returns to Parquet files and reads them back for the
next task: for a few million rows, most of a local pipeline's time. In a local run flytekit_ext keeps the value in
memory instead, behind a literal whose URI names it (``flytekit-ext-memory://<key>``), and checks at the same
boundary what writing Parquet would have rejected:

* Arrow's conversion of every column, which is what pandas' ``to_parquet`` makes first (a column of mixed objects
  fails here as it fails there), Parquet's conversion of the schema, and the timestamps flytekit writes as
  microseconds without allowing truncation;
* a consumer that asks for a subset of the columns gets them, or an error naming the missing ones.

Each task gets its own value, as each pod does: a pandas frame is copied when it is kept and again when it is
handed over (with pandas' copy-on-write, which pandas 3 always uses, those copies share memory until one side
changes a column, so they cost almost nothing); an Arrow table is immutable and is handed over as it is.

A consumer that is not a flytekit_ext task (a flytekit task, a workflow's outputs, ``StructuredDataset.open``)
reads the value through the decoders this module registers with flytekit for the URI's protocol; a
``StructuredDataset`` opened as another dataframe type (polars, ...) reads Parquet bytes made on demand through the
fsspec filesystem registered for it. A task input of another dataframe type (polars, Spark, a ``FlyteSchema``), and
the local cache, get the value written as Parquet files first (:func:`materialized`): Spark reads the URI in its
JVM, and a ``FlyteSchema`` passes the URI on past the life of the value it names.

A kept value lives as long as the literal that names it.

Files and directories
---------------------
A ``FlyteFile`` or ``FlyteDirectory`` on a local path goes to the next task as that same path, as flytekit hands
it on: code that reads ``.path`` directly (``os.listdir(d.path)``) works as it does under flytekit, and a consumer
that writes into its input changes the producer's file, as it does under flytekit (on a cluster each pod
downloads a copy of its own).
"""

from __future__ import annotations

import sys
import uuid
import weakref
from typing import Any, Dict, List, Optional, Tuple

import fsspec
from flytekit.core.context_manager import FlyteContext
from flytekit.core.type_engine import TypeEngine
from flytekit.models import literals
from flytekit.models.literals import Literal, Scalar, StructuredDatasetMetadata
from flytekit.models.types import LiteralType, StructuredDatasetType
from flytekit.types.structured.structured_dataset import (
    PARQUET,
    StructuredDataset,
    StructuredDatasetDecoder,
    StructuredDatasetTransformerEngine,
    extract_cols_and_format,
)

PROTOCOL = "flytekit-ext-memory"
_PREFIX = f"{PROTOCOL}://"


class _Kept:
    """A dataframe kept for the tasks that read it: a pandas frame or an Arrow table, never changed."""

    __slots__ = ("frame", "table", "parquet", "__weakref__")

    def __init__(self, frame: Any = None, table: Any = None) -> None:
        self.frame = frame
        self.table = table
        self.parquet: Optional[bytes] = None  # made when something reads the value as files

    def arrow(self) -> Any:
        if self.table is None:
            import pyarrow as pa

            self.table = pa.Table.from_pandas(self.frame)
        return self.table

    def parquet_bytes(self) -> bytes:
        if self.parquet is None:
            import pyarrow as pa
            import pyarrow.parquet as pq

            sink = pa.BufferOutputStream()
            pq.write_table(self.arrow(), sink, coerce_timestamps="us", allow_truncated_timestamps=False)
            self.parquet = sink.getvalue().to_pybytes()
        return self.parquet


_kept: weakref.WeakValueDictionary[str, _Kept] = weakref.WeakValueDictionary()


class InMemoryStructuredDataset(literals.StructuredDataset):
    """flytekit's structured-dataset literal, holding the value its URI names (so the value lives as long as it)."""

    def __init__(self, uri: str, metadata: StructuredDatasetMetadata, kept: _Kept) -> None:
        super().__init__(uri=uri, metadata=metadata)
        self.kept = kept


def _copy_on_write() -> bool:
    import pandas as pd

    return int(pd.__version__.split(".")[0]) >= 3 or bool(pd.get_option("mode.copy_on_write"))


def _own_copy(frame: Any) -> Any:
    """A copy of a pandas frame that no change to ``frame`` reaches, nor the reverse."""
    return frame.copy(deep=not _copy_on_write())


def in_memory_type(python_type: Any, literal_type: LiteralType) -> bool:
    """Whether values of ``python_type`` may travel in memory: a pandas DataFrame, an Arrow table or a
    ``StructuredDataset``, stored as Parquet (flytekit's default for them)."""
    if literal_type.structured_dataset_type is None:
        return False
    base, _, storage_format, _ = extract_cols_and_format(python_type)
    if storage_format not in ("", PARQUET):
        return False
    return base is StructuredDataset or _is_frame_type(base) or _is_table_type(base)


def _is_frame_type(python_type: Any) -> bool:
    pandas = sys.modules.get("pandas")
    return pandas is not None and python_type is pandas.DataFrame


def _is_table_type(python_type: Any) -> bool:
    pyarrow = sys.modules.get("pyarrow")
    return pyarrow is not None and python_type is pyarrow.Table


def _checked_frame(frame: Any) -> None:
    """What ``frame.to_parquet`` (with flytekit's options) would reject, rejected here."""
    import pyarrow as pa

    _check_parquet(pa.Table.from_pandas(frame))


def _round_trips(frame: Any) -> bool:
    """Whether ``frame`` comes back from Parquet as it is. Column names and index level names that are not
    strings may come back as strings (pandas warns), so such a frame takes flytekit's way, to come back as it
    does from flytekit."""
    names = [*frame.columns, *(name for name in frame.index.names if name is not None)]
    return all(isinstance(name, str) for name in names)


def _check_parquet(table: Any) -> None:
    """What writing ``table`` to Parquet as flytekit writes it would reject, without writing it."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.ParquetWriter(pa.BufferOutputStream(), table.schema, coerce_timestamps="us").close()
    for field, column in zip(table.schema, table.columns):
        if pa.types.is_timestamp(field.type) and field.type.unit == "ns":
            column.cast(pa.timestamp("us", tz=field.type.tz), safe=True)  # raises where nanoseconds would be lost


def literal_of(value: Any, literal_type: LiteralType) -> Optional[Literal]:
    """The in-memory literal of a dataframe value, checked as Parquet would be; ``None`` for any other value
    (flytekit converts those, and rejects what it must)."""
    frame = table = None
    if isinstance(value, StructuredDataset):
        if value.uri or value._literal_sd is not None:
            return None  # a dataset that is already somewhere: flytekit passes its literal on
        value = value.dataframe
    if _is_frame_type(type(value)):
        if not _round_trips(value):
            return None
        _checked_frame(value)
        frame = _own_copy(value)
    elif _is_table_type(type(value)):
        _check_parquet(value)
        table = value
    else:
        return None
    _register_readers()
    kept = _Kept(frame=frame, table=table)
    key = uuid.uuid4().hex
    _kept[key] = kept
    declared = literal_type.structured_dataset_type
    dataset_type = StructuredDatasetType(
        columns=declared.columns,
        format=PARQUET,
        external_schema_type=declared.external_schema_type,
        external_schema_bytes=declared.external_schema_bytes,
    )
    dataset = InMemoryStructuredDataset(_PREFIX + key, StructuredDatasetMetadata(dataset_type), kept)
    return Literal(scalar=Scalar(structured_dataset=dataset))


def kept_of(literal: Literal) -> Optional[_Kept]:
    """The value an in-memory literal names; ``None`` for any other literal."""
    scalar = literal.scalar
    dataset = scalar.structured_dataset if scalar is not None else None
    if dataset is None or not dataset.uri.startswith(_PREFIX):
        return None
    return _find(dataset.uri)


def _find(uri: str) -> _Kept:
    kept = _kept.get(uri[len(_PREFIX) :].split("/", 1)[0])
    if kept is None:
        raise LookupError(
            f"{uri} names a dataframe kept in memory by an earlier local task call of this process, and it is gone "
            f"(its literal was written out and read back). Pass the task's outputs along as they are."
        )
    return kept


def _columns_wanted(python_type: Any) -> Optional[List[str]]:
    _, columns, _, _ = extract_cols_and_format(python_type)
    return list(columns) if columns else None


def _selected(kept: _Kept, columns: Optional[List[str]], want_frame: bool) -> Any:
    """The kept value as a frame or a table, with only ``columns`` if given (an error names those missing)."""
    if want_frame:
        frame = kept.frame if kept.frame is not None else kept.table.to_pandas()
        if columns is not None:
            _check_columns(list(frame.columns), columns)
            frame = frame[columns]
        return _own_copy(frame)
    table = kept.arrow()
    if columns is not None:
        _check_columns(table.column_names, columns)
        table = table.select(columns)
    return table


def _check_columns(present: List[str], wanted: List[str]) -> None:
    missing = [name for name in wanted if name not in present]
    if missing:
        raise KeyError(f"columns {missing} were asked for, and the dataset has only {present}")


def value_of(kept: _Kept, python_type: Any) -> Any:
    """The value a task declaring ``python_type`` gets for an in-memory literal; ``None`` when flytekit must make
    it (another dataframe type, or a ``StructuredDataset``, which flytekit opens through the decoders below)."""
    base = extract_cols_and_format(python_type)[0]
    if _is_frame_type(base):
        return _selected(kept, _columns_wanted(python_type), want_frame=True)
    if _is_table_type(base):
        return _selected(kept, _columns_wanted(python_type), want_frame=False)
    return None


def materialized(ctx: FlyteContext, literal: Literal) -> Literal:
    """``literal`` as flytekit would have written it (Parquet files), if it is an in-memory one."""
    kept = kept_of(literal)
    if kept is None:
        return literal
    dataset_type = literal.scalar.structured_dataset.metadata.structured_dataset_type
    value = kept.frame if kept.frame is not None else kept.table
    return TypeEngine.to_literal(ctx, value, type(value), LiteralType(structured_dataset_type=dataset_type))


# --- readers for consumers that are not flytekit_ext tasks ---------------------------------------------------


class _Decoder(StructuredDatasetDecoder):
    def __init__(self, python_type: type, want_frame: bool) -> None:
        super().__init__(python_type, PROTOCOL, PARQUET)
        self._want_frame = want_frame

    def decode(self, ctx: FlyteContext, flyte_value: literals.StructuredDataset, current_task_metadata: Any) -> Any:
        dataset_type = current_task_metadata.structured_dataset_type
        columns = [c.name for c in dataset_type.columns] if dataset_type and dataset_type.columns else None
        return _selected(_find(flyte_value.uri), columns, self._want_frame)


class InMemoryFileSystem(fsspec.AbstractFileSystem):
    """Read-only files of in-memory dataframes, made as Parquet when first read: ``<uri>/00000``, as flytekit's
    Parquet encoders lay a dataset out."""

    protocol = PROTOCOL

    def _key_and_name(self, path: str) -> Tuple[str, str]:
        key, _, name = self._strip_protocol(path).partition("/")
        return key, name

    def info(self, path: str, **kwargs: Any) -> Dict[str, Any]:
        key, name = self._key_and_name(path)
        kept = _find(_PREFIX + key)
        if name:
            return {"name": f"{key}/{name}", "size": len(kept.parquet_bytes()), "type": "file"}
        return {"name": key, "size": 0, "type": "directory"}

    def ls(self, path: str, detail: bool = True, **kwargs: Any) -> List[Any]:
        key, name = self._key_and_name(path)
        entry = self.info(f"{key}/00000")
        if name:
            entry = self.info(path)
        return [entry] if detail else [entry["name"]]

    def _open(self, path: str, mode: str = "rb", **kwargs: Any) -> Any:
        if mode != "rb":
            raise PermissionError(f"{path} is a read-only in-memory dataset")
        key, _ = self._key_and_name(path)
        import io

        return io.BytesIO(_find(_PREFIX + key).parquet_bytes())


_readers: List[Any] = []


def _register_readers() -> None:
    """Let flytekit read in-memory datasets, once the first is made (only this module's URIs use the protocol)."""
    if _readers:
        return
    import pandas as pd
    import pyarrow as pa

    fsspec.register_implementation(PROTOCOL, InMemoryFileSystem, clobber=True)
    for decoder in (_Decoder(pd.DataFrame, want_frame=True), _Decoder(pa.Table, want_frame=False)):
        StructuredDatasetTransformerEngine.register(decoder, override=True)
        _readers.append(decoder)
