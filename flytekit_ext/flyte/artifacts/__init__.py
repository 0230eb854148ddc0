"""``flyte.artifacts``: Flyte 2's artifact service, which Flyte 1 does not have; every name raises when used."""

from typing import Any

from flytekit_ext.flyte._unavailable import unavailable_module_attribute

INSTEAD = "Pass the value on as a task output, or give it to a launch plan as an input."


def __getattr__(name: str) -> Any:
    return unavailable_module_attribute(__name__, name, INSTEAD)
