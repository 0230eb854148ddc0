"""The package's layers import downward only, without cycles, and flytekit's internals are touched in one module.

Read from the source (every import, those under ``TYPE_CHECKING`` and inside functions included), so a type-only
upward import fails here too. docs/architecture.md shows the same layers.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, Iterator, List, Set, Tuple

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "flytekit_ext"

#: Bottom to top. A module may import modules of its own layer or of a layer below it.
LAYERS: List[Tuple[str, ...]] = [
    ("flytekit_ext._flytekit_internals", "flytekit_ext.errors", "flytekit_ext.resolver"),
    ("flytekit_ext._core",),
    ("flytekit_ext._runtime",),
    ("flytekit_ext._local",),
    ("flytekit_ext._eager",),
    ("flytekit_ext._calls",),
    ("flytekit_ext._tasks",),
    ("flytekit_ext._patterns",),
    ("flytekit_ext._decorators",),
    ("flytekit_ext", "flytekit_ext.testing"),
    ("flytekit_ext.flyte",),
]
#: What the Flyte 2 facade, a client of the public API, may import of flytekit_ext.
PUBLIC = {"flytekit_ext", "flytekit_ext.errors", "flytekit_ext.resolver", "flytekit_ext.testing"}
ADAPTER = "flytekit_ext._flytekit_internals"
#: flytekit's private names flytekit_ext relies on: only the adapter may name them.
FLYTEKIT_PRIVATE = {
    "flyte_context_Var",
    "signal_handlers",
    "_decks",
    "_enable_deck",
    "_timeline_deck",
    "_working_directory",
    "_checkpoint",
    "_checkpoint_dest",
    "_python_interface",
    "_interface",
    "_native_interface",
    "_task_resolver",
    "_task_function",
    "_execution_mode",
    "_container_image",
    "_write_decks",
    "_dnsify",
    "_recursive_hash_placement",
    "_get_upload_signed_url_fn",
    "_is_force_push",
    "_to_literal_transformer",
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES: Dict[str, Path] = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def layer_of(module: str) -> int:
    """The layer of ``module``: the highest layer with a prefix that names it (a package or the module)."""
    found = [
        index
        for index, prefixes in enumerate(LAYERS)
        for prefix in prefixes
        if module == prefix or (module.startswith(prefix + ".") and prefix != "flytekit_ext")
    ]
    if not found:
        raise AssertionError(f"{module} is in no layer: add its package to LAYERS (and docs/architecture.md)")
    return max(found)


def imports_of(module: str) -> Iterator[Tuple[str, int]]:
    """The flytekit_ext modules ``module`` imports, with the line of each import."""
    tree = ast.parse(MODULES[module].read_text())
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "flytekit_ext":
                    yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1], base]).strip(".")
            if base.split(".")[0] != "flytekit_ext":
                continue
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                yield (submodule if submodule in MODULES else base), node.lineno


def test_every_module_is_in_a_layer():
    for module in MODULES:
        layer_of(module)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_go_downward_only(module):
    upward = [
        f"line {line}: {imported} (layer {layer_of(imported)})"
        for imported, line in imports_of(module)
        if imported in MODULES and layer_of(imported) > layer_of(module)
    ]
    assert not upward, f"{module} (layer {layer_of(module)}) imports upward: {upward}"


def test_no_import_cycle():
    graph: Dict[str, Set[str]] = {
        module: {imported for imported, _ in imports_of(module) if imported in MODULES and imported != module}
        for module in MODULES
    }
    # A package's __init__ importing its own submodules is how a package exports them, not a cycle.
    for module in graph:
        graph[module] = {
            m for m in graph[module] if not (MODULES[module].name == "__init__.py" and m.startswith(module))
        }
    cycles = _cycles(graph)
    assert not cycles, f"import cycles: {cycles}"


def _cycles(graph: Dict[str, Set[str]]) -> List[List[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on_stack: Set[str] = set()
    found: List[List[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in graph[node]:
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_the_facade_is_a_client_of_the_public_api_and_nothing_imports_it():
    for module in MODULES:
        is_facade = module == "flytekit_ext.flyte" or module.startswith("flytekit_ext.flyte.")
        for imported, line in imports_of(module):
            imported_facade = imported == "flytekit_ext.flyte" or imported.startswith("flytekit_ext.flyte.")
            if is_facade:
                assert imported_facade or imported in PUBLIC, f"{module}:{line} imports {imported}, not public API"
            else:
                assert not imported_facade, f"{module}:{line} imports the facade {imported}"


def test_flytekits_private_names_are_touched_by_the_adapter_only():
    touched = []
    for module, path in MODULES.items():
        if module == ADAPTER:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in FLYTEKIT_PRIVATE:
                touched.append(f"{module}:{node.lineno} .{node.attr}")
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "flytekit":
                touched += [
                    f"{module}:{node.lineno} imports {alias.name}"
                    for alias in node.names
                    if alias.name.startswith("_") or alias.name in FLYTEKIT_PRIVATE
                ]
    assert not touched, f"flytekit's internals outside {ADAPTER}: {touched}"
