"""``flyte.app.extras``: app environments (FastAPI, ...), which Flyte 1 does not have; every name raises when used."""

from typing import Any

from flytekit_ext.flyte._unavailable import unavailable_module_attribute
from flytekit_ext.flyte.app import INSTEAD


def __getattr__(name: str) -> Any:
    return unavailable_module_attribute(__name__, name, INSTEAD)
