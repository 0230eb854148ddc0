"""``Secret``, as in Flyte 2, and flytekit's secret request it becomes on Flyte 1.

A Flyte 2 secret is named by its ``key`` (and an optional ``group``) and shows up as an environment variable
(``as_env_var``, by default the key upper-cased with ``-`` turned into ``_``) or, with ``mount``, as a file.
On Flyte 1 (Kubernetes secrets) the group is the secret's name and the key the item in it; a secret given
without a group is looked up as the item ``key`` of the secret ``key``.
"""

from __future__ import annotations

import pathlib
import re
from dataclasses import dataclass
from typing import List, Optional, Union

from flytekit.models.security import Secret as FlytekitSecret

_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_MOUNT = "/etc/flyte/secrets"


@dataclass
class Secret:
    """A secret for a task: its ``key``, optional ``group``, and how it is injected (see the module)."""

    key: str
    group: Optional[str] = None
    mount: Optional[pathlib.Path] = None
    as_env_var: Optional[str] = None

    def __post_init__(self) -> None:
        if not self.mount and not self.as_env_var:
            default = f"{self.group}_{self.key}" if self.group else self.key
            self.as_env_var = default.replace("-", "_").upper()
        if self.mount and str(self.mount) != _MOUNT:
            raise ValueError(f"Secret {self.key!r}: the only mount path is {_MOUNT}, got {self.mount}")
        if self.as_env_var is not None and not _ENV_NAME.match(self.as_env_var):
            raise ValueError(f"Secret {self.key!r}: {self.as_env_var!r} is not a valid environment variable name")

    def to_flytekit(self) -> FlytekitSecret:
        if self.mount:
            return FlytekitSecret(
                group=self.group or self.key, key=self.key, mount_requirement=FlytekitSecret.MountType.FILE
            )
        return FlytekitSecret(
            group=self.group or self.key,
            key=self.key,
            mount_requirement=FlytekitSecret.MountType.ENV_VAR,
            env_var=self.as_env_var,
        )


SecretRequest = Union[str, Secret, List[Union[str, Secret]]]


def secrets_from_request(secrets: Optional[SecretRequest]) -> List[Secret]:
    """The secrets a request names: a key, a ``Secret``, or a list of either."""
    if secrets is None:
        return []
    listed = secrets if isinstance(secrets, list) else [secrets]
    return [secret if isinstance(secret, Secret) else Secret(key=secret) for secret in listed]
