"""``Documentation`` and ``Link``, as in Flyte 2: a task's description, and (ignored on Flyte 1) log links."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Protocol


@dataclass
class Documentation:
    """A task's description; on Flyte 1 its short description."""

    description: str


class Link(Protocol):
    """A link shown with a task's logs in Flyte 2's UI; Flyte 1 shows the links its plugins configure."""

    name: str
    icon_uri: Optional[str]

    def get_link(self, run_name: str, project: str, domain: str, context: Any, **kwargs: Any) -> str: ...
