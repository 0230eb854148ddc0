"""Whether a task's body calls tasks: what makes an ``async def`` task a parent (an eager task) on Flyte 1.

In Flyte 2 every task call made inside a run is an action of its own. On Flyte 1 that takes an eager task,
whose calls become child executions; but an eager task costs something a leaf does not (a workflow with a
failure node is registered for it, and its pod needs a client to launch children). So the decision is made
from the body, when the task is defined, by reading which global names its code loads (its nested functions,
lambdas and comprehensions included):

* a task, an overridden task, a ``functools.partial`` of one, or ``map`` (the facade's or flytekit_ext's):
  the body calls tasks;
* a plain function of the same module: what that function's body loads counts too (a helper that calls
  tasks makes its caller a parent);
* a name not bound yet (the module defines it further down): read from the module's source, where a
  function defined with a decorator other than ``trace``, or a name assigned from a call of ``.task``,
  ``.override`` or ``partial``, counts as a task; a plain function defined later is read the same way.

A body that calls a task some other way (one passed in as an input, or looked up by ``getattr``) is not seen:
such a task stays a plain async task, and its calls run inside its own pod on a cluster, as in a ``def``
task. The opposite mistake cannot happen silently either way: both kinds run the same body, locally and on
a cluster.
"""

from __future__ import annotations

import ast
import builtins
import dis
import functools
import inspect
import sys
from types import CodeType, FunctionType, ModuleType
from typing import Any, Callable, Dict, Iterable, Iterator, Optional, Set

from flytekit.core.base_task import Task

import flytekit_ext

_MAPS = {id(flytekit_ext.map)}
_GLOBAL_LOADS = {"LOAD_GLOBAL", "LOAD_NAME"}
_ATTRIBUTE_LOADS = {"LOAD_ATTR", "LOAD_METHOD"}


def _is_task(value: Any) -> bool:
    if isinstance(value, functools.partial):
        value = value.func
    if isinstance(value, Task) or id(value) in _MAPS:
        return True
    # An overridden task (``t.override(...)`` kept in a module variable) carries the task it calls.
    return isinstance(getattr(value, "task", None), Task) and callable(getattr(value, "aio", None))


def _instructions(code: CodeType) -> Iterator[dis.Instruction]:
    """The instructions of ``code`` and of the code objects nested in it (functions, lambdas, comprehensions)."""
    yield from dis.get_instructions(code)
    for constant in code.co_consts:
        if isinstance(constant, CodeType):
            yield from _instructions(constant)


class _Search:
    """One search from one body; functions already read are not read again (recursion, shared helpers)."""

    def __init__(self, module_name: str, namespace: Dict[str, Any]) -> None:
        self.module_name = module_name
        self.namespace = namespace
        self.seen: Set[str] = set()
        self._later: Optional[Dict[str, ast.AST]] = None

    def code_calls_tasks(self, code: CodeType) -> bool:
        names: Dict[str, None] = {}
        attributes: Set[str] = set()
        for instruction in _instructions(code):
            if instruction.opname in _GLOBAL_LOADS:
                names[instruction.argval] = None
            elif instruction.opname in _ATTRIBUTE_LOADS:
                attributes.add(instruction.argval)
        return any(self.name_calls_tasks(name, attributes) for name in names)

    def name_calls_tasks(self, name: str, attributes: Iterable[str] = ()) -> bool:
        if name in self.seen:
            return False
        self.seen.add(name)
        if name in self.namespace:
            return self.value_calls_tasks(self.namespace[name], attributes)
        if hasattr(builtins, name):
            return False
        definition = self.later_definitions().get(name)
        return definition is not None and self.definition_calls_tasks(definition)

    def value_calls_tasks(self, value: Any, attributes: Iterable[str]) -> bool:
        if _is_task(value):
            return True
        if isinstance(value, ModuleType):
            # ``flyte.map(...)``, ``tasks_module.fetch(...)``: a module attribute the body reads.
            return any(_is_task(getattr(value, attribute, None)) for attribute in attributes)
        function = inspect.unwrap(value) if callable(value) else None
        if isinstance(function, FunctionType) and function.__module__ == self.module_name:
            return self.code_calls_tasks(function.__code__)
        return False

    def later_definitions(self) -> Dict[str, ast.AST]:
        """The module's top-level definitions, by name, read from its source once."""
        if self._later is None:
            self._later = {}
            module = sys.modules.get(self.module_name)
            try:
                tree = ast.parse(inspect.getsource(module)) if module is not None else None
            except (OSError, TypeError, SyntaxError):  # no source (an interactive session): nothing to read
                tree = None
            for node in tree.body if tree is not None else ():
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    self._later[node.name] = node
                elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    for target in targets:
                        if isinstance(target, ast.Name):
                            self._later[target.id] = node
        return self._later

    def definition_calls_tasks(self, node: ast.AST) -> bool:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if any(_decorator_name(decorator) != "trace" for decorator in node.decorator_list):
                return True  # a task defined further down (or something else decorated: assumed to be one)
            loaded = [child.id for child in ast.walk(node) if isinstance(child, ast.Name)]
            return any(self.name_calls_tasks(name) for name in loaded)
        value = getattr(node, "value", None)
        return isinstance(value, ast.Call) and _decorator_name(value.func) in ("task", "override", "partial")


def _decorator_name(node: ast.AST) -> str:
    """The last name of a decorator expression: ``env.task(retries=2)`` -> ``task``."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def calls_tasks(function: Callable[..., Any]) -> bool:
    """Whether ``function``'s body calls tasks, as far as its code shows; see the module's description."""
    function = inspect.unwrap(function)
    code = getattr(function, "__code__", None)
    if code is None:
        return False
    search = _Search(function.__module__, getattr(function, "__globals__", {}))
    search.seen.add(function.__name__)  # a task calling itself is not, by that alone, a parent
    return search.code_calls_tasks(code)
