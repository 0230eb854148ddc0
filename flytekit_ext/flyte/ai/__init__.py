"""``flyte.ai``: Flyte 2's agent SDK, which Flyte 1 does not have; every name here raises when it is used."""

import importlib
from typing import Any

from flytekit_ext.flyte._unavailable import unavailable_module_attribute

INSTEAD = "Call the model's client library from a task; each tool call can be a task call of its own."


_SUBMODULES = ("agents", "chat", "mcp")


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    return unavailable_module_attribute(__name__, name, INSTEAD)
