"""Decks for local and pod runs, built without subprocesses.

flytekit lists the environment's packages for the dependencies deck by running ``pip`` twice in a
subprocess (about two seconds); ``importlib.metadata`` gives the same list in-process.
"""

from __future__ import annotations

import html
import inspect
from contextlib import suppress
from importlib import metadata
from typing import Any, Callable

from flytekit.deck import Deck, DeckField


def dependencies_html() -> str:
    """An HTML table of the installed distributions and their versions, plus a requirements listing."""
    found = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            found[name.lower()] = (name, dist.version)
    rows = "".join(
        f"<tr><td>{html.escape(name)}</td><td>{html.escape(version)}</td></tr>"
        for name, version in (found[key] for key in sorted(found))
    )
    requirements = "\n".join(f"{name}=={version}" for name, version in (found[key] for key in sorted(found)))
    return (
        "<table><tr><th style='text-align:left;'>Name</th><th style='text-align:left;'>Version</th></tr>"
        f"{rows}</table><h3>requirements.txt</h3><pre>{html.escape(requirements)}</pre>"
    )


def add_function_decks(task_function: Callable[..., Any] | None, deck_fields: Any) -> None:
    """Add the source-code and dependencies decks of a function task to the current execution's decks."""
    if task_function is not None and DeckField.SOURCE_CODE in deck_fields:
        with suppress(OSError, TypeError):
            from flytekit.deck.renderer import SourceCodeRenderer

            source = inspect.getsource(task_function)
            Deck(DeckField.SOURCE_CODE.value).append(SourceCodeRenderer().to_html(source))
    if DeckField.DEPENDENCIES in deck_fields:
        Deck(DeckField.DEPENDENCIES.value).append(dependencies_html())
