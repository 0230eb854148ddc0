#!/usr/bin/env python
"""Keep the code shown in the docs pages identical to the files it comes from.

Pages show code inline, so they read the same on GitHub, in an editor and on the built site. A code block
that shows a file (or one definition in it) is preceded by a marker naming its source:

    <!-- from: docs/examples/pipeline.py -->          the whole file
    <!-- from: flytekit_ext/_calls/route.py::call -->  one top-level function, class or assignment
    <!-- from: docs/examples/notebook.ipynb -->      a notebook's cells, as a script with "# %%" cell markers

    python tools/docs_sync.py           report blocks that differ from their sources (exit status 1 if any)
    python tools/docs_sync.py --write   rewrite those blocks from their sources

The test suite runs the check, so an example changed without its page (or the reverse) fails CI.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, List

ROOT = Path(__file__).resolve().parent.parent
MARKER = re.compile(r"^<!-- from: (?P<path>[^\s:]+)(?:::(?P<name>\w+))? -->$")
FENCE = re.compile(r"^```")


@dataclass(frozen=True)
class Shown:
    """One code block of a page and the source it must show."""

    page: Path
    path: str
    name: str | None
    first: int  # index of the block's first code line in the page's lines
    end: int  # index of its closing fence
    code: str

    @property
    def label(self) -> str:
        where = f"{self.path}::{self.name}" if self.name else self.path
        return f"{self.page.relative_to(ROOT)}:{self.first} shows {where}"


def notebook_as_script(text: str) -> str:
    """A notebook's cells in the "percent" script format editors and jupytext read: ``# %%`` opens a code cell,
    ``# %% [markdown]`` a markdown cell, whose lines are comments."""
    parts = []
    for cell in json.loads(text)["cells"]:
        source = "".join(cell["source"]).rstrip("\n")
        if cell["cell_type"] == "code":
            parts.append(f"# %%\n{source}")
        elif cell["cell_type"] == "markdown":
            comment = "\n".join(f"# {line}".rstrip() for line in source.splitlines())
            parts.append(f"# %% [markdown]\n{comment}")
    return "\n\n".join(parts)


def source_text(path: str, name: str | None) -> str:
    """The whole file, or the top-level definition ``name`` in it (decorators included)."""
    text = (ROOT / path).read_text()
    if path.endswith(".ipynb"):
        return notebook_as_script(text)
    if name is None:
        return text.rstrip("\n")
    lines = text.splitlines()
    for node in ast.parse(text).body:
        defined = getattr(node, "name", None)
        if defined is None and isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            defined = next((t.id for t in targets if isinstance(t, ast.Name)), None)
        if defined == name:
            decorators = getattr(node, "decorator_list", [])
            start = min([node.lineno, *(d.lineno for d in decorators)])
            return "\n".join(lines[start - 1 : node.end_lineno])
    raise LookupError(f"{path} has no top-level definition named {name!r}")


def shown_blocks(page: Path) -> Iterator[Shown]:
    lines = page.read_text().splitlines()
    for index, line in enumerate(lines):
        marker = MARKER.match(line.strip())
        if marker is None:
            continue
        opening = index + 1
        if opening >= len(lines) or not FENCE.match(lines[opening]):
            raise ValueError(f"{page}:{index + 1}: a 'from' marker must be followed directly by a code block")
        end = next(i for i in range(opening + 1, len(lines)) if FENCE.match(lines[i]))
        code = "\n".join(lines[opening + 1 : end])
        yield Shown(page, marker["path"], marker["name"], opening + 1, end, code)


def pages() -> List[Path]:
    return sorted((ROOT / "docs").rglob("*.md")) + [ROOT / "README.md"]


def stale() -> List[Shown]:
    """Every block whose code differs from its source."""
    blocks = (block for page in pages() for block in shown_blocks(page))
    return [block for block in blocks if block.code != source_text(block.path, block.name)]


def write() -> int:
    changed = 0
    for page in pages():
        blocks = [b for b in shown_blocks(page) if b.code != source_text(b.path, b.name)]
        if not blocks:
            continue
        lines = page.read_text().splitlines()
        for block in reversed(blocks):  # from the bottom, so earlier indices stay valid
            lines[block.first : block.end] = source_text(block.path, block.name).splitlines()
        page.write_text("\n".join(lines) + "\n")
        changed += len(blocks)
    return changed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="rewrite stale blocks from their sources")
    args = parser.parse_args()
    if args.write:
        print(f"rewrote {write()} code block(s)")
        return 0
    found = stale()
    for block in found:
        print(f"stale: {block.label}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
