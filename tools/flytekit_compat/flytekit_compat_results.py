"""Pytest plugin that records one line per test outcome as JSON lines.

Loaded by run.py with ``-p flytekit_compat_results``; the output path comes from the
``FLYTEKIT_COMPAT_RESULTS`` environment variable (nothing is written when it is unset).
Works with pytest-xdist: the hooks run on the controller, which receives every worker's reports.

Each line is ``{"nodeid", "outcome", "message"}`` where outcome is one of
passed, failed, error, skipped, xfailed, xpassed and message is the first line of the failure
(or skip reason). Collection errors are recorded with the module's nodeid and outcome ``error``.

Each process that runs tests (each xdist worker, or the one pytest process) also counts the task objects
created while collecting and running, by class, and writes them to ``$FLYTEKIT_COMPAT_RESULTS.tasks.<process>.json``.
A swapped run whose tasks are all flytekit or plugin classes has not exercised flytekit_ext at all:
``@task(task_config=...)`` of a plugin makes the plugin's own class, with either decorator.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from typing import Any, Dict, Optional, Union

import pytest

_PATH = os.environ.get("FLYTEKIT_COMPAT_RESULTS")
_state: Dict[str, Dict[str, Any]] = {}
# Tasks already counted, by id; holding them keeps an id from being reused if a test empties flytekit's list.
_counted: Dict[int, object] = {}
_task_classes: Counter[str] = Counter()


def _first_line(report: Union[pytest.TestReport, pytest.CollectReport]) -> str:
    longrepr = getattr(report, "longrepr", None)
    if longrepr is None:
        return ""
    if isinstance(longrepr, tuple) and len(longrepr) == 3:  # skip: (path, lineno, reason)
        return str(longrepr[2]).strip().splitlines()[0] if str(longrepr[2]).strip() else ""
    crash = getattr(longrepr, "reprcrash", None)
    message: Optional[str] = getattr(crash, "message", None) if crash is not None else None
    if message and message.strip():
        return message.strip().splitlines()[0]
    text = getattr(report, "longreprtext", "") or str(longrepr)
    e_lines = [ln[1:].strip() for ln in text.splitlines() if ln.startswith("E ")]
    if e_lines:
        return e_lines[0]
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return lines[-1] if lines else ""


def _write(entry: Dict[str, Any]) -> None:
    # Under pytest-xdist the workers load this plugin too; only the controller (which receives every
    # worker's reports) writes, so each test is recorded once.
    if not _PATH or os.environ.get("PYTEST_XDIST_WORKER"):
        return
    with open(_PATH, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry) + "\n")


def _count_tasks() -> None:
    try:
        from flytekit.core.base_task import Task
        from flytekit.core.context_manager import FlyteEntities
    except ImportError:
        return
    for entity in list(FlyteEntities.entities):
        if isinstance(entity, Task) and id(entity) not in _counted:
            _counted[id(entity)] = entity
            cls = type(entity)
            _task_classes[f"{cls.__module__}.{cls.__qualname__}"] += 1


def pytest_collection_finish(session: pytest.Session) -> None:
    _count_tasks()


def pytest_runtest_teardown(item: pytest.Item, nextitem: Optional[pytest.Item]) -> None:
    # Runs where the test ran (an xdist worker), unlike the report hooks, which also run on the controller.
    _count_tasks()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    st = _state.setdefault(report.nodeid, {"outcome": None, "message": ""})
    xfail = hasattr(report, "wasxfail")
    if report.when == "setup":
        if report.failed:
            st.update(outcome="error", message="[setup] " + _first_line(report))
        elif report.skipped:
            st.update(outcome="xfailed" if xfail else "skipped", message=_first_line(report))
    elif report.when == "call":
        if xfail:
            st.update(outcome="xfailed" if report.skipped else "xpassed", message=str(report.wasxfail))
        elif report.failed:
            st.update(outcome="failed", message=_first_line(report))
        elif report.skipped:
            st.update(outcome="skipped", message=_first_line(report))
        else:
            st.update(outcome="passed", message="")
    elif report.when == "teardown":
        if report.failed and st["outcome"] in (None, "passed"):
            st.update(outcome="error", message="[teardown] " + _first_line(report))
        entry = {"nodeid": report.nodeid, "outcome": st["outcome"] or "error", "message": st["message"]}
        _write(entry)
        _state.pop(report.nodeid, None)


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.failed:
        _write({"nodeid": report.nodeid, "outcome": "error", "message": "[collection] " + _first_line(report)})


def pytest_sessionfinish(session: pytest.Session) -> None:
    if _PATH and _task_classes:
        process = os.environ.get("PYTEST_XDIST_WORKER", "main")
        with open(f"{_PATH}.tasks.{process}.json", "w", encoding="utf-8") as fh:
            json.dump(dict(_task_classes), fh, indent=1, sort_keys=True)
    # Tests whose teardown never reported (e.g. a crashed xdist worker): record what we know.
    for nodeid, st in list(_state.items()):
        _write({"nodeid": nodeid, "outcome": st["outcome"] or "error", "message": st["message"] or "[no teardown]"})
    _state.clear()
