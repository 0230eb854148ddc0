"""Decks for local and pod runs, built without subprocesses.

flytekit lists the environment's packages for the dependencies deck by running ``pip`` twice in a
subprocess (about two seconds per task run). Here the list comes from the ``*.dist-info``/``*.egg-info``
folders on ``sys.path``, reading each metadata file only up to its name and version, once per process (and
again only if ``sys.path`` changes). flytekit also highlights a task's source code with pygments on every run
(about a millisecond); here each function's source-code deck is made once.
"""

from __future__ import annotations

import functools
import html
import inspect
import os
import sys
from typing import Any, Callable, Dict, Optional, Tuple

from flytekit.deck import Deck, DeckField


def _name_and_version(metadata_file: str) -> Optional[Tuple[str, str]]:
    name = version = None
    try:
        with open(metadata_file, encoding="utf-8", errors="replace") as lines:
            for line in lines:
                if line.startswith("Name:"):
                    name = line[5:].strip()
                elif line.startswith("Version:"):
                    version = line[8:].strip()
                if (name and version) or not line.strip():  # the headers end at the first blank line
                    break
    except OSError:
        return None
    return (name, version) if name and version else None


@functools.lru_cache(maxsize=4)
def installed_distributions(search_path: Tuple[str, ...]) -> Tuple[Tuple[str, str], ...]:
    """(name, version) of every distribution installed on ``search_path``, first occurrence wins, by name."""
    found: Dict[str, Tuple[str, str]] = {}
    for entry in search_path:
        try:
            folders = sorted(os.listdir(entry or "."))
        except OSError:
            continue
        for folder in folders:
            if folder.endswith(".dist-info"):
                described = _name_and_version(os.path.join(entry, folder, "METADATA"))
            elif folder.endswith(".egg-info"):
                described = _name_and_version(os.path.join(entry, folder, "PKG-INFO"))
            else:
                continue
            if described is not None:
                found.setdefault(described[0].lower(), described)
    return tuple(found[key] for key in sorted(found))


def dependencies_html() -> str:
    """An HTML table of the installed distributions and their versions, plus a requirements listing."""
    return _dependencies_html(tuple(sys.path))


@functools.lru_cache(maxsize=4)
def _dependencies_html(search_path: Tuple[str, ...]) -> str:
    installed = installed_distributions(search_path)
    rows = "".join(
        f"<tr><td>{html.escape(name)}</td><td>{html.escape(version)}</td></tr>" for name, version in installed
    )
    requirements = "\n".join(f"{name}=={version}" for name, version in installed)
    return (
        "<table><tr><th style='text-align:left;'>Name</th><th style='text-align:left;'>Version</th></tr>"
        f"{rows}</table><h3>requirements.txt</h3><pre>{html.escape(requirements)}</pre>"
    )


@functools.lru_cache(maxsize=256)
def _source_code_html(task_function: Callable[..., Any]) -> Optional[str]:
    """The highlighted source of a function, as flytekit renders it; ``None`` if its source is not available."""
    try:
        source = inspect.getsource(task_function)
    except (OSError, TypeError):
        return None
    from flytekit.deck.renderer import SourceCodeRenderer  # pygments: only once a deck shows source code

    return SourceCodeRenderer().to_html(source)


def add_function_decks(task_function: Callable[..., Any] | None, deck_fields: Any) -> None:
    """Add the source-code and dependencies decks of a function task to the current execution's decks."""
    if task_function is not None and DeckField.SOURCE_CODE in deck_fields:
        source_html = _source_code_html(task_function)
        if source_html is not None:
            Deck(DeckField.SOURCE_CODE.value).append(source_html)
    if DeckField.DEPENDENCIES in deck_fields:
        Deck(DeckField.DEPENDENCIES.value).append(dependencies_html())
