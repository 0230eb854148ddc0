"""``flyte.report``: HTML a task adds to its report, shown as flytekit decks.

Inside a task, ``log`` adds to the main tab, ``replace`` replaces it, ``get_tab(name)`` gives another tab.
When the task's body ends, each tab with content becomes a flytekit deck of the same name (the main tab the
deck named after the task), which the UI shows for a task made with ``@env.task(report=True)``, as Flyte 2 shows
the report. ``flush`` has nothing to do: decks are written when the task ends. Outside a task, the report is
a stand-in that nothing reads.
"""

from __future__ import annotations

from flytekit_ext.flyte._context import TASK
from flytekit_ext.flyte._report import MAIN_TAB, Report, Tab, report_as_decks
from flytekit_ext.flyte._syncify import syncify

_outside = Report(name="outside-a-task")


def current_report() -> Report:
    """The running task's report; outside a task, a stand-in."""
    found = TASK.get()
    return found.report if found is not None else _outside


def get_tab(name: str, /, create_if_missing: bool = True) -> Tab:
    return current_report().get_tab(name, create_if_missing=create_if_missing)


@syncify
async def flush() -> None:
    """Decks are written when the task ends; nothing to do before."""


@syncify
async def log(content: str, do_flush: bool = False) -> None:
    """Add ``content`` (an HTML fragment) to the main tab."""
    get_tab(MAIN_TAB).log(content)


@syncify
async def replace(content: str, do_flush: bool = False) -> None:
    """Make ``content`` (an HTML fragment) the whole main tab."""
    get_tab(MAIN_TAB).replace(content)


__all__ = ["Report", "Tab", "current_report", "flush", "get_tab", "log", "replace", "report_as_decks", "MAIN_TAB"]
