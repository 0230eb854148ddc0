"""``flyte.sandbox``: Flyte 2's sandboxed code runs, which Flyte 1 does not have; every name raises when used."""

from typing import Any

from flytekit_ext.flyte._unavailable import unavailable_module_attribute

INSTEAD = "Run the code as a task of its own (a task, or flytekit's ContainerTask for another language)."


def __getattr__(name: str) -> Any:
    return unavailable_module_attribute(__name__, name, INSTEAD)
