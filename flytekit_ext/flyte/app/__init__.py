"""``flyte.app``: apps and serving, which Flyte 1 does not have. Every name here raises when it is used."""

from typing import Any

from flytekit_ext.flyte._unavailable import unavailable_module_attribute

INSTEAD = "Serve it with a Flyte 1 deployment of its own (a Kubernetes Deployment, or a KServe service)."


def __getattr__(name: str) -> Any:
    return unavailable_module_attribute(__name__, name, INSTEAD)
