"""Settings Flyte 1 has no counterpart for: accepted, and named in one warning each per process."""

from __future__ import annotations

import warnings
from typing import Set

_warned: Set[str] = set()


class IgnoredSettingWarning(UserWarning):
    """A Flyte 2 setting that has no counterpart on flytekit and Flyte 1, accepted and not applied."""


def ignored(setting: str, instead: str = "") -> None:
    """Warn, once per process, that ``setting`` is accepted and has no effect; ``instead`` says what to use."""
    if setting in _warned:
        return
    _warned.add(setting)
    advice = f"; {instead}" if instead else ""
    warnings.warn(
        IgnoredSettingWarning(f"flytekit_ext.flyte: {setting} has no counterpart on Flyte 1 and is ignored{advice}"),
        stacklevel=3,
    )
