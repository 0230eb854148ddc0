"""Rewrite a flytekit program so that ``task``, ``eager`` and ``dynamic`` come from flytekit_ext.

Only imports are touched, and every line keeps its number (tracebacks and ``__file__``-relative output stay
comparable):

- ``from flytekit import task, workflow`` becomes ``from flytekit import workflow; from flytekit_ext import task``
  (the same for ``flytekit.core.task`` and ``flytekit.core.dynamic_workflow_task``, and with ``as`` aliases);
- ``import flytekit`` / ``import flytekit as fl`` gets ``; import flytekit_ext`` appended, and each attribute
  ``fl.task`` / ``fl.eager`` / ``fl.dynamic`` becomes ``flytekit_ext.task`` etc.

Anything else that would still reach flytekit's decorators (``from flytekit.core import task as m; @m.task``,
``import flytekit.core.task``, a star import) is reported as *unhandled*; the caller skips such a program.
"""

from __future__ import annotations

import ast
import dataclasses
from typing import Dict, List, Tuple

SWAPPED = ("task", "eager", "dynamic")
#: Modules whose ``from M import task/eager/dynamic`` is rewritten, and the names each of them provides.
SOURCES: Dict[str, Tuple[str, ...]] = {
    "flytekit": SWAPPED,
    "flytekit.core.task": ("task", "eager"),
    "flytekit.core.dynamic_workflow_task": ("dynamic",),
}


@dataclasses.dataclass
class SwapResult:
    source: str
    #: Number of rewritten import statements and attribute references.
    rewrites: int = 0
    #: Why the rewrite is incomplete (empty if it is complete).
    unhandled: List[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True)
class _Edit:
    line: int  # 1-based
    col: int  # 0-based, in characters of the line (ast gives UTF-8 byte offsets; converted below)
    end_line: int
    end_col: int
    text: str


def _char_col(line: str, byte_col: int) -> int:
    return len(line.encode("utf-8")[:byte_col].decode("utf-8", errors="replace"))


def _alias(a: ast.alias) -> str:
    return a.name if a.asname is None else f"{a.name} as {a.asname}"


def swap_source(source: str) -> SwapResult:
    """Return ``source`` with flytekit's task/eager/dynamic imports pointed at flytekit_ext."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    edits: List[_Edit] = []
    unhandled: List[str] = []
    module_aliases: List[str] = []  # names bound to the flytekit module itself

    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module is not None:
            mod = node.module
            if mod in SOURCES:
                if any(a.name == "*" for a in node.names):
                    unhandled.append(f"line {node.lineno}: 'from {mod} import *'")
                    continue
                moved = [a for a in node.names if a.name in SOURCES[mod]]
                if not moved:
                    continue
                kept = [a for a in node.names if a.name not in SOURCES[mod]]
                parts = []
                if kept:
                    parts.append(f"from {mod} import {', '.join(_alias(a) for a in kept)}")
                parts.append(f"from flytekit_ext import {', '.join(_alias(a) for a in moved)}")
                edits.append(_edit_for(node, lines, "; ".join(parts)))
            elif mod.startswith("flytekit.") and any(a.name in {"task", "dynamic_workflow_task"} for a in node.names):
                # e.g. "from flytekit.core import task": a module whose attributes would still be flytekit's.
                names = [a.name for a in node.names if a.name in {"task", "dynamic_workflow_task"}]
                unhandled.append(f"line {node.lineno}: 'from {mod} import {', '.join(names)}' (a module)")
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name == "flytekit":
                    module_aliases.append(a.asname or "flytekit")
                elif a.name.startswith("flytekit.") and a.asname is None:
                    # "import flytekit.core.task" binds "flytekit" as well.
                    module_aliases.append("flytekit")
                    if a.name in SOURCES:
                        unhandled.append(f"line {node.lineno}: 'import {a.name}'")
                elif a.name in SOURCES and a.asname:
                    unhandled.append(f"line {node.lineno}: 'import {a.name} as {a.asname}'")

    if module_aliases:
        aliases = set(module_aliases)
        attr_edits = []
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in SWAPPED
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
            ):
                attr_edits.append(_edit_for(node, lines, f"flytekit_ext.{node.attr}"))
            elif (
                isinstance(node, ast.Attribute)
                and node.attr in SWAPPED
                and isinstance(node.value, ast.Attribute)
                and ast.unparse(node.value) in SOURCES
            ):
                attr_edits.append(_edit_for(node, lines, f"flytekit_ext.{node.attr}"))
        if attr_edits:
            edits.extend(attr_edits)
            # Make "flytekit_ext" importable right where flytekit is imported (same line, so no line moves).
            for node in ast.walk(tree):
                if isinstance(node, ast.Import) and any(
                    a.name == "flytekit" or a.name.startswith("flytekit.") for a in node.names
                ):
                    end = lines[node.end_lineno - 1] if node.end_lineno else ""
                    end_col = _char_col(end, node.end_col_offset or 0)
                    edits.append(
                        _Edit(node.end_lineno or 0, end_col, node.end_lineno or 0, end_col, "; import flytekit_ext")
                    )
                    break

    return SwapResult(
        _apply(lines, edits), rewrites=sum(1 for e in edits if e.text != "; import flytekit_ext"), unhandled=unhandled
    )


def _edit_for(node: ast.stmt | ast.expr, lines: List[str], text: str) -> _Edit:
    assert node.end_lineno is not None and node.end_col_offset is not None
    col = _char_col(lines[node.lineno - 1], node.col_offset)
    end_col = _char_col(lines[node.end_lineno - 1], node.end_col_offset)
    # A statement over several lines becomes one line followed by blank ones, so later lines keep their numbers.
    return _Edit(node.lineno, col, node.end_lineno, end_col, text + "\n" * (node.end_lineno - node.lineno))


def _apply(lines: List[str], edits: List[_Edit]) -> str:
    out = list(lines)
    for e in sorted(edits, key=lambda e: (e.line, e.col), reverse=True):
        first = out[e.line - 1]
        last = out[e.end_line - 1]
        merged = first[: e.col] + e.text + last[e.end_col :]
        out[e.line - 1 : e.end_line] = [merged]
    return "".join(out)
