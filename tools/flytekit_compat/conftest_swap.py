"""Pytest plugin: run a test suite with flytekit's decorators swapped for flytekit_ext's.

Load it with ``-p conftest_swap`` (with this folder on ``PYTHONPATH``), e.g. via ``run.py``.

At import time -- which, for a ``-p`` plugin, is before any conftest.py or test module is imported --
it imports ``flytekit_ext`` and rebinds every attribute of every loaded ``flytekit``/``flytekitplugins``
module that *is* one of the original decorator functions (``task``, ``eager``, ``dynamic``) to the
flytekit_ext replacement. Because the defining modules (``flytekit.core.task``,
``flytekit.core.dynamic_workflow_task``) and the ``flytekit`` package itself are patched, any module
imported later that does ``from flytekit import task`` or ``from flytekit.core.task import task``
picks up the replacement too. Modules are re-scanned at session start and after collection, to catch
aliases created by modules that were imported in between through some other route.

If flytekit_ext cannot be imported, or does not export the three decorators, the plugin raises
``pytest.UsageError`` so the run stops immediately with a clear message instead of silently testing
stock flytekit.
"""

from __future__ import annotations

import os
import sys
import traceback
from types import ModuleType
from typing import Callable, Dict, List, NoReturn, Tuple

import pytest

# Module prefixes whose attributes are scanned for aliases of the original decorators.
_SCANNED_PREFIXES = ("flytekit", "flytekitplugins")

# (defining module, attribute) for each decorator that is swapped.
_DEFINITIONS = {
    "task": ("flytekit.core.task", "task"),
    "eager": ("flytekit.core.task", "eager"),
    "dynamic": ("flytekit.core.dynamic_workflow_task", "dynamic"),
}

ORIGINALS: Dict[str, Callable] = {}
REPLACEMENTS: Dict[str, Callable] = {}
# Every (module name, attribute, decorator name) rebound so far.
PATCHED: List[Tuple[str, str, str]] = []


def _fail(message: str) -> NoReturn:
    banner = "flytekit_compat/conftest_swap: " + message
    # Print as well as raise: some pytest versions only show the exception type for -p import errors.
    sys.stderr.write("\n" + "=" * 78 + "\n" + banner + "\n" + "=" * 78 + "\n")
    raise pytest.UsageError(banner)


def _load_replacements() -> None:
    import importlib

    for name, (module_name, attr) in _DEFINITIONS.items():
        module = importlib.import_module(module_name)
        original = getattr(module, attr, None)
        if original is None:
            _fail(f"stock flytekit has no {module_name}.{attr}; wrong flytekit version?")
        ORIGINALS[name] = original

    try:
        import flytekit_ext
    except Exception:  # noqa: BLE001 - any import failure must stop the run
        _fail(
            "cannot import flytekit_ext, so the swapped run would silently test stock flytekit.\n"
            "Install it into the active environment (pip install -e <flytekit_ext checkout>) or put the\n"
            "checkout on PYTHONPATH. Import error:\n" + traceback.format_exc()
        )

    missing = [name for name in _DEFINITIONS if not callable(getattr(flytekit_ext, name, None))]
    if missing:
        _fail(f"flytekit_ext (from {getattr(flytekit_ext, '__file__', '?')}) does not export {missing}")

    for name in _DEFINITIONS:
        replacement = getattr(flytekit_ext, name)
        if replacement is ORIGINALS[name]:
            _fail(f"flytekit_ext.{name} is flytekit's own {name}; nothing would be swapped")
        REPLACEMENTS[name] = replacement


def _scanned(module_name: str) -> bool:
    return any(module_name == p or module_name.startswith(p + ".") for p in _SCANNED_PREFIXES)


def swap_all() -> int:
    """Rebind every alias of an original decorator in loaded flytekit modules. Returns how many were rebound."""
    by_id = {id(fn): name for name, fn in ORIGINALS.items()}
    count = 0
    for module_name, module in list(sys.modules.items()):
        if not isinstance(module, ModuleType) or not _scanned(module_name):
            continue
        try:
            items = list(vars(module).items())
        except TypeError:
            continue
        for attr, value in items:
            name = by_id.get(id(value))
            if name is None or value is not ORIGINALS[name]:
                continue
            setattr(module, attr, REPLACEMENTS[name])
            PATCHED.append((module_name, attr, name))
            count += 1
    return count


def _check_definitions() -> None:
    import importlib

    for name, (module_name, attr) in _DEFINITIONS.items():
        if getattr(importlib.import_module(module_name), attr) is not REPLACEMENTS[name]:
            _fail(f"{module_name}.{attr} is not flytekit_ext.{name} after swapping")
    import flytekit

    for name in _DEFINITIONS:
        if getattr(flytekit, name) is not REPLACEMENTS[name]:
            _fail(f"flytekit.{name} is not flytekit_ext.{name} after swapping")


if os.environ.get("FLYTEKIT_COMPAT_NO_SWAP") == "1":
    # Escape hatch: load the plugin but leave flytekit alone (useful to check the harness itself).
    ENABLED = False
else:
    ENABLED = True
    _load_replacements()
    swap_all()
    _check_definitions()


def pytest_report_header(config: pytest.Config) -> List[str]:
    if not ENABLED:
        return ["flytekit_compat: swap DISABLED (FLYTEKIT_COMPAT_NO_SWAP=1)"]
    import flytekit

    import flytekit_ext

    where = sorted({f"{m}.{a}" for m, a, _ in PATCHED})
    return [
        f"flytekit_compat: flytekit {flytekit.__version__} ({os.path.dirname(flytekit.__file__)})",
        f"flytekit_compat: task/eager/dynamic swapped for flytekit_ext {getattr(flytekit_ext, '__version__', '?')} "
        f"({os.path.dirname(flytekit_ext.__file__)})",
        "flytekit_compat: rebound " + ", ".join(where),
    ]


def pytest_sessionstart(session: pytest.Session) -> None:
    if ENABLED:
        swap_all()


def pytest_collection_finish(session: pytest.Session) -> None:
    if ENABLED:
        swap_all()
        _check_definitions()
