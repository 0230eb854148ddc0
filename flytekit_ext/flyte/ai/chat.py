"""``flyte.ai.chat``: part of Flyte 2's agent SDK, which Flyte 1 does not have; every name raises when used."""

from typing import Any

from flytekit_ext.flyte._unavailable import unavailable_module_attribute
from flytekit_ext.flyte.ai import INSTEAD


def __getattr__(name: str) -> Any:
    return unavailable_module_attribute(__name__, name, INSTEAD)
