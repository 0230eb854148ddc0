"""Fixtures for tests that run against the loopback FlyteAdmin double (marker: ``backend``)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable, List

import pytest

from .admin_double import AdminDouble

REPO_ROOT = Path(__file__).resolve().parents[2]


def source_root_of(module_name: str) -> Path:
    """The directory that must be on sys.path for ``module_name`` to import under that dotted name."""
    module = sys.modules[module_name]
    path = Path(module.__file__).resolve().parent
    for _ in range(module_name.count(".")):
        path = path.parent
    return path


def pytest_configure(config: pytest.Config) -> None:
    # Declared in setup.cfg too; repeating it keeps --strict-markers happy under another config file.
    config.addinivalue_line("markers", "backend: runs against the loopback FlyteAdmin test double (tests/backend)")


@pytest.fixture
def admin_double_factory(tmp_path: Path):
    """Start doubles with custom settings: ``admin_double_factory(source_root=..., failure_node_on_abort=True)``.

    Defaults: the source root is where this package's modules import from (the repository root while
    ``tests`` is a package), the repository root is also on the subprocesses' PYTHONPATH (so ``tests.*``
    and ``flytekit_ext`` import, whichever way flytekit names the task module), and terminated tasks get
    3 s between SIGTERM and SIGKILL. Every double started is stopped at teardown.
    """
    from . import fixtures_stock

    started: List[AdminDouble] = []

    def make(**kwargs) -> AdminDouble:
        kwargs.setdefault("work_root", tmp_path / f"admin-double-{len(started)}")
        kwargs.setdefault("source_root", source_root_of(fixtures_stock.__name__))
        kwargs.setdefault("python_paths", [str(REPO_ROOT)])
        kwargs.setdefault("kill_grace_seconds", 3.0)
        double = AdminDouble(**kwargs).start()
        started.append(double)
        return double

    yield make
    for double in reversed(started):
        double.stop()


@pytest.fixture
def admin_double(admin_double_factory: Callable[..., AdminDouble]) -> AdminDouble:
    """A started :class:`AdminDouble` with the default settings; stopped (subprocesses killed) at teardown."""
    return admin_double_factory()
