"""``flyte.remote``: the run handles ``flyte.run`` returns (``Run``, ``ActionOutputs``). The rest of Flyte 2's
``flyte.remote`` (fetching actions, tasks, apps, artifacts, secrets from the control plane) has no counterpart
here: each of those names raises when used, naming flytekit's ``FlyteRemote`` as what to use instead."""

from typing import Any

from flytekit_ext.flyte._runs import ActionOutputs, Run
from flytekit_ext.flyte._unavailable import unavailable_module_attribute

INSTEAD = "Use flytekit's FlyteRemote (flytekit.remote.FlyteRemote) against the Flyte 1 cluster."


def __getattr__(name: str) -> Any:
    return unavailable_module_attribute(__name__, name, INSTEAD)


__all__ = ["ActionOutputs", "Run"]
