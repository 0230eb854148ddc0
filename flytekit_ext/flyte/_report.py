"""A task's report (Flyte 2's ``flyte.report``): tabs of HTML fragments, and the flytekit decks they become."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List

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


def report_as_decks(report: Report, task_name: str) -> None:
    """The report's tabs with content, as flytekit decks of the running task (the main tab named for the task)."""
    if not report.has_content():
        return
    from flytekit import Deck

    for name, tab in report.tabs.items():
        if tab.content:
            Deck(task_name if name == MAIN_TAB else name, tab.get_html())
