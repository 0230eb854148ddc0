"""The one answer to "what name does a call show?": short names, display names, group labels.

A task's short name is what the UI shows for its nodes and child executions and what local logs name its
calls; ``.override(short_name=...)`` changes it for one call. A task that is not flytekit_ext's has no short
name and shows the last part of its dotted name, as flytekit's UI does.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, Optional


def default_short_name(task_name: str) -> str:
    """The short name of a task named ``task_name`` that was given none: the last part of its dotted name."""
    return task_name.rsplit(".", 1)[-1]


#: The longest short name: Flyte 2 cuts a task's short name to 63 characters when it registers it.
MAX_SHORT_NAME_LENGTH = 63


def check_short_name(short_name: Any, task_name: str, where: str = "short_name") -> None:
    """A short name given for a task (made, or overridden for a call) is a name to show: a str of one line, of 1 to
    :data:`MAX_SHORT_NAME_LENGTH` characters; errors name the task and say what is accepted.

    It is never an identifier as it is: on a Flyte 1 backend it is a node's display name (``NodeMetadata.name``,
    which takes any text; flytekit fills it with the task's dotted name), and the identifiers made from it, child
    executions' names, are DNS labels derived from it. So spaces are fine; a line break or another control
    character would break the one line a log, the progress bar or the UI shows it on.
    """
    if short_name is None:
        return
    if not isinstance(short_name, str):
        raise TypeError(f"{where} of task '{task_name}' must be a str, got {short_name!r}")
    if not short_name.strip():
        raise ValueError(f"{where} of task '{task_name}' must not be empty")
    if len(short_name) > MAX_SHORT_NAME_LENGTH:
        raise ValueError(
            f"{where} of task '{task_name}' is {len(short_name)} characters long, {short_name[:20]!r}...; a short name "
            f"is shown in the UI and logs and may be at most {MAX_SHORT_NAME_LENGTH} characters (Flyte 2 cuts it "
            f"there). Give a shorter one."
        )
    if not short_name.isprintable():
        raise ValueError(
            f"{where} of task '{task_name}' is {short_name!r}: a short name is shown on one line, so it may not hold "
            f"a line break, a tab or another control character. Spaces are fine."
        )


def display_name(task: Any, short_name: Optional[str] = None) -> str:
    """The name a call of ``task`` shows: the call's short name, else the task's, else its default."""
    return short_name or getattr(task, "short_name", None) or default_short_name(task.name)


def labelled(name: str, group: Optional[str]) -> str:
    """``name`` as logs and progress show a call in ``group``: ``[group] name``."""
    return f"[{group}] {name}" if group else name


#: The label under which a child execution on a backend carries the group it was started in.
GROUP_LABEL_KEY = "eager-group"

_LABEL_CHARACTERS = re.compile(r"[^A-Za-z0-9._-]+")


def group_label(name: str) -> str:
    """The group ``name`` as a label value, which is how child executions on a backend carry it.

    Kubernetes allows 63 characters of ``A-Za-z0-9._-``, starting and ending with a letter or digit: other
    characters become ``-``, and a name with no letter or digit in that set becomes ``g-<hash of the name>``.
    """
    value = re.sub(r"^[^A-Za-z0-9]+|[^A-Za-z0-9]+$", "", _LABEL_CHARACTERS.sub("-", name)[:63])
    return value or f"g-{hashlib.sha256(name.encode()).hexdigest()[:12]}"
