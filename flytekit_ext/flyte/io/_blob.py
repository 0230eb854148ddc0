"""What ``File`` and ``Dir`` share: a stored ``path`` that becomes a Flyte 1 blob literal, single or multipart.

Both are dataclasses with ``path``, ``name``, ``format`` and ``hash``; they differ in the blob's dimensionality
and in how a local path is uploaded (a file, or a folder with what it holds).
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any, ClassVar, Dict, Generic, Type, TypeVar

from flytekit.core.context_manager import FlyteContext
from flytekit.core.type_engine import TypeTransformer
from flytekit.models.core.types import BlobType
from flytekit.models.literals import Blob, BlobMetadata, Literal, Scalar
from flytekit.models.types import LiteralType
from mashumaro.types import SerializableType

from flytekit_ext.flyte.io import _storage as storage
from flytekit_ext.flyte.io._pydantic import pydantic_schema

B = TypeVar("B", bound="StoredBlob")


class StoredBlob(SerializableType):
    """The base of ``File`` and ``Dir``; each says what it holds with the class attributes below."""

    #: What the value is, for messages: "file" or "folder".
    KIND: ClassVar[str]
    DIMENSIONALITY: ClassVar[int]

    path: str
    name: Any
    format: str
    hash: Any

    def uploaded(self: B) -> B:
        """The value itself, or where its data was copied to if it must be uploaded (:func:`storage.must_upload`)."""
        if not storage.must_upload(self.path):
            return self
        multipart = self.DIMENSIONALITY == BlobType.BlobDimensionality.MULTIPART
        return dataclasses.replace(self, path=storage.upload(self.path, folder=multipart))  # type: ignore[type-var]

    # In literals, and in dataclass fields (flytekit's dataclass transformer calls these).

    def _serialize(self) -> Dict[str, Any]:
        uploaded = self.uploaded()
        return {"path": uploaded.path, "name": uploaded.name, "format": uploaded.format, "hash": uploaded.hash}

    @classmethod
    def _deserialize(cls: Type[B], value: Dict[str, Any]) -> B:
        return cls(path=value["path"], name=value.get("name"), format=value.get("format") or "", hash=value.get("hash"))  # type: ignore[call-arg]

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        # Inside a value pydantic writes (a TypedDict, a tuple holding a model): the same dict as in a dataclass.
        return pydantic_schema(cls)


class BlobTransformer(TypeTransformer[B], Generic[B]):
    """A ``File`` or ``Dir`` to and from its blob literal; a path given for one is taken as one."""

    def __init__(self, python_type: Type[B]) -> None:
        super().__init__(f"flytekit_ext.flyte.io.{python_type.__name__}", python_type)

    def get_literal_type(self, t: Type[B]) -> LiteralType:
        return LiteralType(blob=BlobType(format="", dimensionality=self.python_type.DIMENSIONALITY))

    def to_literal(self, ctx: FlyteContext, python_val: Any, python_type: Type[B], expected: LiteralType) -> Literal:
        kind = self.python_type
        if isinstance(python_val, (str, os.PathLike)):
            python_val = kind(path=os.fspath(python_val))
        if not isinstance(python_val, kind):
            raise TypeError(
                f"Expected a flyte.io.{kind.__name__} (or a path), got {type(python_val).__name__} {python_val!r}"
            )
        uploaded = python_val.uploaded()
        blob_type = BlobType(format=uploaded.format, dimensionality=kind.DIMENSIONALITY)
        return Literal(scalar=Scalar(blob=Blob(metadata=BlobMetadata(type=blob_type), uri=uploaded.path)))

    def to_python_value(self, ctx: FlyteContext, lv: Literal, expected_python_type: Type[B]) -> B:
        blob = lv.scalar.blob if lv.scalar is not None else None
        if blob is None:
            raise TypeError(f"Expected a {self.python_type.KIND} (a blob literal), got {lv}")
        return self.python_type(path=blob.uri, format=blob.metadata.type.format)
