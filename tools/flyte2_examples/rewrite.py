"""The mechanical import change that turns a Flyte 2 program into a flytekit_ext.flyte program, and its check.

The rule (README.md, "The import rule"): every module path ``flyte`` or ``flyte.<rest>`` in an absolute import
becomes ``flytekit_ext.flyte`` or ``flytekit_ext.flyte.<rest>``, and every name the statement bound before is
bound to the corresponding facade object after. Only the module paths are edited, in place, so every other byte
of the program (comments, layout, line numbers) stays as it was.
"""

from __future__ import annotations

import ast
import re

FACADE = "flytekit_ext.flyte"

# A `from` statement's module path, possibly split by spaces or backslash continuations.
_FROM_MODULE = re.compile(rb"from(?:\s|\\\n)+(flyte(?:(?:\s|\\\n)*\.(?:\s|\\\n)*\w+)*)")


class RewriteError(Exception):
    """The rewritten program differs from the original in more than its flyte import lines."""


def is_flyte_module(path: str) -> bool:
    return path == "flyte" or path.startswith("flyte.")


def facade_module(path: str) -> str:
    """`flyte.io` -> `flytekit_ext.flyte.io`."""
    return FACADE + path[len("flyte") :]


def _alias_replacement(alias: ast.alias) -> str:
    """The text that replaces one `import` alias (`flyte`, `flyte.io`, `flyte.io as fio`)."""
    target = facade_module(alias.name)
    if alias.asname is not None:
        return f"{target} as {alias.asname}"
    if alias.name == "flyte":
        return f"{FACADE} as flyte"
    # `import flyte.errors` loads the submodule and binds `flyte` to the top package: do both.
    return f"{target}, {FACADE} as flyte"


def _offset(line_starts: list[int], lineno: int, col: int) -> int:
    return line_starts[lineno - 1] + col


def rewrite_source(source: str) -> tuple[str, int]:
    """The program with its flyte imports pointed at the facade, and the number of import statements changed."""
    data = source.encode()
    line_starts = [0]
    for line in data.splitlines(keepends=True):
        line_starts.append(line_starts[-1] + len(line))
    edits: list[tuple[int, int, bytes]] = []  # (start, end, replacement), byte offsets into `data`
    statements = 0
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            aliases = [a for a in node.names if is_flyte_module(a.name)]
            for alias in aliases:
                assert alias.end_lineno is not None and alias.end_col_offset is not None
                start = _offset(line_starts, alias.lineno, alias.col_offset)
                end = _offset(line_starts, alias.end_lineno, alias.end_col_offset)
                edits.append((start, end, _alias_replacement(alias).encode()))
            statements += bool(aliases)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and is_flyte_module(node.module):
            start = _offset(line_starts, node.lineno, node.col_offset)
            match = _FROM_MODULE.match(data, start)
            if match is None:
                raise RewriteError(f"line {node.lineno}: cannot find the module path of `from {node.module} import`")
            edits.append((match.start(1), match.end(1), facade_module(node.module).encode()))
            statements += 1
    for start, end, replacement in sorted(edits, reverse=True):
        data = data[:start] + replacement + data[end:]
    return data.decode(), statements


class _MapImports(ast.NodeTransformer):
    """Applies the rule to a syntax tree, so a rewritten text can be checked against it."""

    def visit_Import(self, node: ast.Import) -> ast.Import:
        names: list[ast.alias] = []
        for alias in node.names:
            if not is_flyte_module(alias.name):
                names.append(alias)
            elif alias.asname is not None:
                names.append(ast.alias(facade_module(alias.name), alias.asname))
            elif alias.name == "flyte":
                names.append(ast.alias(FACADE, "flyte"))
            else:
                names += [ast.alias(facade_module(alias.name)), ast.alias(FACADE, "flyte")]
        return ast.Import(names)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> ast.ImportFrom:
        if node.level == 0 and node.module and is_flyte_module(node.module):
            return ast.ImportFrom(facade_module(node.module), node.names, 0)
        return node


def _line_numbers(tree: ast.AST) -> list[tuple[str, int]]:
    return [(type(n).__name__, n.lineno) for n in ast.walk(tree) if isinstance(n, (ast.stmt, ast.expr))]


def check_rewrite(original: str, rewritten: str) -> None:
    """Raises RewriteError unless `rewritten` is `original` with the rule applied to its imports and nothing else.

    Compares the syntax trees (the original's with the rule applied to its import nodes) and the line of every
    statement and expression, so a change anywhere else, or a shifted line, is caught.
    """
    expected_tree = _MapImports().visit(ast.parse(original))
    actual_tree = ast.parse(rewritten)
    if ast.dump(expected_tree) != ast.dump(actual_tree):
        raise RewriteError("the rewritten program differs from the original in more than its flyte imports")
    if _line_numbers(ast.parse(original)) != _line_numbers(actual_tree):
        raise RewriteError("the rewrite moved a statement to another line")
    if original.count("\n") != rewritten.count("\n"):
        raise RewriteError("the rewrite changed the number of lines")


def rewrite_checked(source: str) -> tuple[str, int]:
    """rewrite_source, then check_rewrite on its result."""
    rewritten, statements = rewrite_source(source)
    check_rewrite(source, rewritten)
    return rewritten, statements
