"""``flyte.report``: HTML a task adds to its report, shown as flytekit decks.

Inside a task, ``log`` adds to the main tab, ``replace`` replaces it, ``get_tab(name)`` gives another tab.
When the task's body ends, each tab with content becomes a flytekit deck of the same name (the main tab the
deck named after the task), which the UI shows for a task made with ``@env.task(report=True)``, as Flyte 2 shows
the report. ``flush`` has nothing to do: decks are written when the task ends. Outside a task, the report is
a stand-in that nothing reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List

from flytekit_ext.flyte._context import TASK
from flytekit_ext.flyte._syncify import syncify

MAIN_TAB = "main"


@dataclass
class Tab:
    """A tab of a report: HTML fragments, shown one after the other."""

    name: str
    content: List[str] = field(default_factory=list, init=False)

    def log(self, content: str) -> None:
        self.content.append(content)

    def replace(self, content: str) -> None:
        self.content = [content]

    def get_html(self) -> str:
        return "\n".join(self.content)


@dataclass
class Report:
    """A task's report: its tabs by name, the main tab first."""

    name: str
    tabs: Dict[str, Tab] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.tabs.setdefault(MAIN_TAB, Tab(MAIN_TAB))

    def has_content(self) -> bool:
        return any(tab.content for tab in self.tabs.values())

    def get_tab(self, name: str, create_if_missing: bool = True) -> Tab:
        if name not in self.tabs:
            if not create_if_missing:
                raise ValueError(f"Tab {name} does not exist.")
            self.tabs[name] = Tab(name)
        return self.tabs[name]

    def get_final_report(self) -> str:
        return "\n".join(f"<div>{tab.get_html()}</div>" for tab in self.tabs.values() if tab.content)


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


def report_as_decks(report: Report, task_name: str) -> None:
    """The report's tabs with content, as flytekit decks of the running task (the main tab named for the task)."""
    if not report.has_content():
        return
    from flytekit import Deck

    for name, tab in report.tabs.items():
        if tab.content:
            Deck(task_name if name == MAIN_TAB else name, tab.get_html())


__all__ = ["Report", "Tab", "current_report", "flush", "get_tab", "log", "replace"]
