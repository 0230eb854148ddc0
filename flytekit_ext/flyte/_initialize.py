"""``flyte.init`` and ``flyte.init_from_config``: where ``flyte.run`` runs.

Without an endpoint (``flyte.init()``, or ``init_from_config()`` when no configuration file is found) runs
are local, as in Flyte 2. With one, ``flyte.run`` launches runs on that Flyte 1 cluster (FlyteAdmin) through
flytekit's ``FlyteRemote``: ``init(endpoint="dns:///host:port", insecure=True, project=..., domain=...)``,
or ``init_from_config(path)`` with a configuration file of the kind both Flyte 2 and flytectl read
(``admin.endpoint``, ``admin.insecure``, ``task.project``/``task.domain``; flytekit reads the rest, such as
``storage``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Union

import yaml

from flytekit_ext.flyte._ignored import ignored
from flytekit_ext.flyte._logging import set_levels
from flytekit_ext.flyte._syncify import syncify
from flytekit_ext.flyte.errors import InitializationError

DEFAULT_PROJECT = "flytesnacks"
DEFAULT_DOMAIN = "development"
# Where Flyte 2 looks for a configuration file when none is named, in order.
_CONFIG_SEARCH = ("FLYTECTL_CONFIG", "UCTL_CONFIG")
_CONFIG_FILES = (Path(".flyte") / "config.yaml", Path("~/.flyte/config.yaml"), Path("~/.union/config.yaml"))


@dataclass(frozen=True)
class Connection:
    """What ``flyte.init`` was given: the cluster to run on (None: local runs) and where to put runs there."""

    endpoint: Optional[str] = None
    insecure: bool = False
    project: str = DEFAULT_PROJECT
    domain: str = DEFAULT_DOMAIN
    config_file: Optional[Path] = None
    root_dir: Optional[Path] = None
    image_refs: Any = None
    storage: Any = None  # a flyte.storage.Storage: the data settings of runs on the cluster

    @property
    def remote(self) -> bool:
        return self.endpoint is not None


_current = Connection()


def current() -> Connection:
    return _current


def current_project() -> str:
    return _current.project


def current_domain() -> str:
    return _current.domain


def is_initialized() -> bool:
    return True


def is_control_plane_available() -> bool:
    return _current.remote


@syncify
async def init(
    org: Optional[str] = None,
    project: Optional[str] = None,
    domain: Optional[str] = None,
    root_dir: Optional[Path] = None,
    log_level: Optional[int] = None,
    log_format: Optional[str] = None,
    reset_root_logger: bool = False,
    user_log_level: Optional[int] = None,
    endpoint: Optional[str] = None,
    headless: bool = False,
    insecure: bool = False,
    insecure_skip_verify: bool = False,
    ca_cert_file_path: Optional[str] = None,
    api_key: Optional[str] = None,
    client_id: Optional[str] = None,
    client_credentials_secret: Optional[str] = None,
    images: Any = None,
    storage: Any = None,
    **options: Any,
) -> None:
    """Set where runs go: a Flyte 1 cluster at ``endpoint``, else local runs (see the module's description)."""
    global _current
    set_levels(log_level, user_log_level)
    if api_key or client_id or client_credentials_secret:
        ignored("init(api_key/client_id/client_credentials_secret=...)", "put the credentials in a flytectl config")
    _current = Connection(
        endpoint=_without_scheme(endpoint) if endpoint else None,
        insecure=insecure,
        project=project or DEFAULT_PROJECT,
        domain=domain or DEFAULT_DOMAIN,
        config_file=options.get("source_config_path"),
        root_dir=root_dir,
        image_refs=images,
        storage=storage,
    )


def _without_scheme(endpoint: str) -> str:
    """``dns:///host:port`` and ``http(s)://host:port`` as flytekit takes them: ``host:port``."""
    for prefix in ("dns:///", "https://", "http://", "grpc://"):
        if endpoint.startswith(prefix):
            return endpoint[len(prefix) :]
    return endpoint


def _found_config() -> Optional[Path]:
    for variable in _CONFIG_SEARCH:
        if os.environ.get(variable):
            return Path(os.environ[variable]).expanduser()
    for candidate in _CONFIG_FILES:
        if candidate.expanduser().exists():
            return candidate.expanduser()
    return None


@syncify
async def init_from_config(
    path_or_config: Union[str, Path, None] = None,
    root_dir: Optional[Path] = None,
    log_level: Optional[int] = None,
    log_format: str = "console",
    user_log_level: Optional[int] = None,
    org: Optional[str] = None,
    project: Optional[str] = None,
    domain: Optional[str] = None,
    storage: Any = None,
    batch_size: int = 1000,
    image_builder: Optional[str] = None,
    images: Any = None,
    sync_local_sys_paths: bool = True,
) -> None:
    """``init`` with the settings of a configuration file (see the module's description)."""
    path: Optional[Path]
    if path_or_config is None or path_or_config == "":
        path = _found_config()
    else:
        path = (Path(root_dir).expanduser() / path_or_config) if root_dir else Path(path_or_config).expanduser()
        if not path.exists():
            raise InitializationError(
                "ConfigFileNotFoundError",
                "user",
                f"Configuration file '{path}' does not exist, current working directory is {Path.cwd()}",
            )
    settings = yaml.safe_load(path.read_text()) or {} if path is not None else {}
    admin = settings.get("admin") or {}
    task = settings.get("task") or {}
    await init.aio(
        project=project or task.get("project"),
        domain=domain or task.get("domain"),
        root_dir=root_dir,
        log_level=log_level,
        user_log_level=user_log_level,
        endpoint=admin.get("endpoint"),
        insecure=bool(admin.get("insecure", False)),
        images=images,
        storage=storage,
        source_config_path=path,
    )
