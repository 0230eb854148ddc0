"""``flyte.git``: ``config_from_root``, the configuration file at the root of the program's git repository."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Optional, Union


def config_from_root(path: Union[Path, str] = ".flyte/config.yaml") -> Optional[Path]:
    """``path`` under the root of the git repository of the working folder, if it is there (else None, which
    ``flyte.init_from_config`` takes as "no configuration file": local runs)."""
    try:
        root = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    found = Path(root) / path
    return found if found.exists() else None


__all__ = ["config_from_root"]
