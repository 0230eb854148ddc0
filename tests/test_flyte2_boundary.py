"""``flytekit_ext.flyte`` is a client of flytekit_ext's public API: it imports no private module of flytekit_ext,
and nothing else in flytekit_ext imports it (read from the source, so an import inside a function counts too)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import Iterator, Tuple

PACKAGE = Path(__file__).resolve().parent.parent / "flytekit_ext"
FACADE = PACKAGE / "flyte"


def imported_modules(path: Path) -> Iterator[Tuple[int, str]]:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
            for alias in node.names:
                yield node.lineno, f"{node.module}.{alias.name}"


def is_private_flytekit_ext(module: str) -> bool:
    parts = module.split(".")
    return parts[0] == "flytekit_ext" and len(parts) > 1 and parts[1] != "flyte" and parts[1].startswith("_")


def test_the_facade_imports_no_private_module_of_flytekit_ext():
    found = [
        f"{path.relative_to(PACKAGE.parent)}:{line} imports {module}"
        for path in FACADE.rglob("*.py")
        for line, module in imported_modules(path)
        if is_private_flytekit_ext(module)
    ]
    assert found == []


def test_nothing_else_in_flytekit_ext_imports_the_facade():
    found = [
        f"{path.relative_to(PACKAGE.parent)}:{line} imports {module}"
        for path in PACKAGE.rglob("*.py")
        if FACADE not in path.parents
        for line, module in imported_modules(path)
        if module == "flytekit_ext.flyte" or module.startswith("flytekit_ext.flyte.")
    ]
    assert found == []


def test_importing_flytekit_ext_does_not_load_the_facade():
    code = "import sys, flytekit_ext; print(any(m.startswith('flytekit_ext.flyte') for m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_the_checks_see_a_private_import():
    assert is_private_flytekit_ext("flytekit_ext._calls.route")
    assert is_private_flytekit_ext("flytekit_ext._image.with_flytekit_ext")
    assert not is_private_flytekit_ext("flytekit_ext.errors") and not is_private_flytekit_ext("flytekit_ext.flyte._run")
