"""Which `flyte` APIs the selected programs use, and which of them the facade lacks (the gap analysis).

An API is named by the path a program reaches it by: `flyte.io.File.from_local` (an attribute), `flyte.Resources(
memory=)` (a keyword argument), `flyte.TaskEnvironment.task(retries=)` (a parameter of a method of an object the
program made with `flyte.TaskEnvironment(...)`), `flyte.run().url` (an attribute of what a call returned).

Run as a script (by the facade's interpreter), this module checks API names read from stdin against
`flytekit_ext.flyte` and prints what it finds; it imports nothing but the standard library, so any interpreter can.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

FACADE = "flytekit_ext.flyte"
_MARK_START = "<!-- usage:start -->"
_MARK_END = "<!-- usage:end -->"


class _Collector(ast.NodeVisitor):
    """Collects the flyte API names one program uses (see the module's docstring)."""

    def __init__(self) -> None:
        self.bound: dict[str, str] = {}  # local name -> flyte path (a module, a class, or `path()` for a result)
        self.apis: set[str] = set()

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name == "flyte" or alias.name.startswith("flyte."):
                if alias.asname:
                    self.bound[alias.asname] = alias.name
                else:
                    self.bound["flyte"] = "flyte"
                if alias.name != "flyte":
                    self.apis.add(alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        if node.level == 0 and (module == "flyte" or module.startswith("flyte.")):
            for alias in node.names:
                path = f"{module}.{alias.name}"
                self.bound[alias.asname or alias.name] = path
                self.apis.add(path)

    def path_of(self, node: ast.expr) -> str | None:
        """The flyte path an expression stands for, or None."""
        if isinstance(node, ast.Name):
            return self.bound.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.path_of(node.value)
            return f"{base}.{node.attr}" if base else None
        if isinstance(node, ast.Call):
            callee = self.path_of(node.func)
            if callee is None:
                return None
            # An object made by a class stands for the class (its methods are the class's); any other result is
            # named by the call.
            return callee if callee.rsplit(".", 1)[-1][:1].isupper() else f"{callee}()"
        if isinstance(node, ast.Await):
            return self.path_of(node.value)
        return None

    def visit_Assign(self, node: ast.Assign) -> None:
        self.generic_visit(node)
        path = self.path_of(node.value)
        for target in node.targets:
            if isinstance(target, ast.Name):
                if path is not None:
                    self.bound[target.id] = path
                else:
                    self.bound.pop(target.id, None)

    def visit_With(self, node: ast.With) -> None:
        for item in node.items:
            path = self.path_of(item.context_expr)
            if path is not None and isinstance(item.optional_vars, ast.Name):
                self.bound[item.optional_vars.id] = f"{path}.__enter__()"
        self.generic_visit(node)

    visit_AsyncWith = visit_With  # type: ignore[assignment]

    def visit_Attribute(self, node: ast.Attribute) -> None:
        path = self.path_of(node)
        if path is not None:
            self.apis.add(path)
        self.generic_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.generic_visit(node)
        decorators = [self.path_of(d) for d in node.decorator_list]
        if decorators and decorators[0] is not None:  # the outermost decorator makes what the name stands for
            self.bound[node.name] = decorators[0] if decorators[0].endswith("()") else f"{decorators[0]}()"

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Call(self, node: ast.Call) -> None:
        callee = self.path_of(node.func)
        if callee is not None and not callee.endswith("()"):  # (calling a call's result: the program's own task)
            self.apis.add(callee)
            # The keywords of a run or of a task's `aio` are the program's own inputs, not API parameters.
            if not callee.endswith((".run", ".aio")):
                self.apis.update(f"{callee}({kw.arg}=)" for kw in node.keywords if kw.arg)
        self.generic_visit(node)


def apis_of(source: str) -> set[str]:
    collector = _Collector()
    collector.visit(ast.parse(source))
    return {a for a in collector.apis if a != "flyte"}


def probe(names: list[str]) -> dict[str, str]:
    """For each API name: `ok`, `missing` (with what is missing), or `unchecked` (a call's result)."""
    import importlib
    import inspect

    try:
        importlib.import_module(FACADE)
    except Exception as exc:  # the facade not there at all: every API is missing
        return {name: f"missing: {FACADE} does not import ({type(exc).__name__})" for name in names}
    found: dict[str, str] = {}
    for name in names:
        match = re.fullmatch(r"(?P<path>.+?)(?:\((?P<kw>\w+)=\))?", name)
        if match is None or not re.fullmatch(r"[\w.]+", match["path"]):  # reached through a call's result
            found[name] = "unchecked"
            continue
        parts = match["path"].split(".")
        obj: object = importlib.import_module(FACADE)
        status = "ok"
        for depth in range(2, len(parts) + 1):
            try:
                obj = getattr(obj, parts[depth - 1])
                continue
            except Exception:  # a missing attribute, or a module __getattr__ that raises something else
                pass
            if any(parts[depth - 1] in getattr(c, "__annotations__", {}) for c in getattr(obj, "__mro__", ())):
                status = "ok (a field of its instances)"  # a dataclass or pydantic field is not on the class
                break
            try:  # a submodule the package does not import itself
                obj = importlib.import_module(".".join([FACADE, *parts[1:depth]]))
            except Exception:
                status = f"missing: {'.'.join(parts[:depth])}"
                break
        if status == "ok" and match["kw"]:
            params: Mapping[str, inspect.Parameter]
            try:
                params = inspect.signature(obj).parameters  # type: ignore[arg-type]
                takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
            except Exception:  # no signature to read (a builtin, a stand-in that raises on any attribute)
                params, takes_any = {}, True
            if match["kw"] not in params and not takes_any:
                status = f"missing: parameter {match['kw']}"
        found[name] = status
    return found


def _probe_with(python: str | None, names: list[str]) -> dict[str, str]:
    if python is None:
        return {name: "unchecked" for name in names}
    result = subprocess.run(
        [python, __file__], input=json.dumps(names), capture_output=True, text=True, check=True, timeout=300
    )
    found: dict[str, str] = json.loads(result.stdout)
    return found


def write_usage_report(sources: dict[str, str], *, python: str | None, out: Path, repo: Path) -> None:
    """The usage table; replaces the part of `out` between the usage markers when it has them."""
    used = {program: apis_of(source) for program, source in sources.items()}
    counts = Counter(api for apis in used.values() for api in apis)
    status = _probe_with(python, sorted(counts))
    blocked = Counter(api for apis in used.values() for api in apis if status[api].startswith("missing"))
    blockers = {p: sorted(a for a in apis if status[a].startswith("missing")) for p, apis in used.items()}
    unblocked = sum(not b for b in blockers.values())
    ordered = sorted(counts, key=lambda a: (-blocked[a], -counts[a], a))
    lines = [
        _MARK_START,
        f"Generated by `tools/flyte2_examples/run.py usage` over the {len(sources)} selected programs, "
        f"facade probed with `{python}`.",
        "",
        f"Programs that use no API the facade lacks: {unblocked} of {len(sources)}.",
        "",
    ]
    # What the facade lacks, by the first missing piece (`flyte.io` for every `flyte.io.File...`), and the number
    # of programs each one blocks.
    missing_piece = {p: {status[a] for a in b} for p, b in blockers.items()}
    pieces = Counter(piece for found in missing_piece.values() for piece in found)
    if pieces:
        lines += ["| missing in the facade | programs it blocks |", "| --- | ---: |"]
        lines += [f"| `{piece.removeprefix('missing: ')}` | {n} |" for piece, n in pieces.most_common()]
        lines.append("")
    lines += [
        "Every API, by the number of programs it blocks, then by the number that use it:",
        "",
        "| API | programs using it | blocked (facade lacks it) | facade |",
        "| --- | ---: | ---: | --- |",
    ]
    lines += [f"| `{a}` | {counts[a]} | {blocked[a]} | {status[a]} |" for a in ordered]
    one_away = Counter(next(iter(found)) for found in missing_piece.values() if len(found) == 1)
    if one_away:
        lines += ["", "Programs that lack one piece of the facade only, per piece:", ""]
        lines += [f"- `{piece.removeprefix('missing: ')}`: {n}" for piece, n in one_away.most_common()]
    lines.append(_MARK_END)
    generated = "\n".join(lines)
    if out.exists() and _MARK_START in (text := out.read_text()) and _MARK_END in text:
        before, rest = text.split(_MARK_START, 1)
        generated = before + generated + rest.split(_MARK_END, 1)[1]
    else:
        generated += "\n"
    out.write_text(generated)


if __name__ == "__main__":
    print(json.dumps(probe(json.load(sys.stdin))))
