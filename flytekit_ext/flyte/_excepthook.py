"""An uncaught error ends the program as under Flyte 2: its class and message on standard output.

Flyte 2 sets ``sys.excepthook`` when ``flyte`` is imported, and so does this package; the traceback is still
shown, on standard error, by the hook that was there before (Python's, or flytekit's rich one).
"""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any, Callable, Optional, Type

_Hook = Callable[[Type[BaseException], BaseException, Optional[TracebackType]], Any]


def _hook_over(previous: _Hook) -> _Hook:
    def hook(kind: Type[BaseException], error: BaseException, tb: Optional[TracebackType]) -> None:
        print("Filtered traceback (most recent call last):", flush=True)
        previous(kind, error, tb)
        sys.stderr.flush()
        print(f"{kind.__name__}: {error}\n", flush=True)

    hook.__flytekit_ext_flyte__ = True  # type: ignore[attr-defined]
    return hook


def install_excepthook() -> None:
    if not getattr(sys.excepthook, "__flytekit_ext_flyte__", False):
        sys.excepthook = _hook_over(sys.excepthook)
