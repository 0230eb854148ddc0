"""How pydantic reads and writes ``File``, ``Dir`` and ``DataFrame`` when they are inside a value it handles."""

from __future__ import annotations

from typing import Any


def pydantic_schema(cls: Any) -> Any:
    """A pydantic core schema for ``cls``: written as the dict its ``_serialize`` gives (uploading it if it must
    be), read from that dict (or taken as it is when it is one already)."""
    from pydantic_core import core_schema

    def read(value: Any) -> Any:
        return value if isinstance(value, cls) else cls._deserialize(value)

    return core_schema.json_or_python_schema(
        json_schema=core_schema.no_info_plain_validator_function(
            read, json_schema_input_schema=core_schema.dict_schema()
        ),
        python_schema=core_schema.no_info_plain_validator_function(read),
        serialization=core_schema.plain_serializer_function_ser_schema(lambda value: value._serialize()),
    )
