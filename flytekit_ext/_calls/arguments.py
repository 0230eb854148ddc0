"""Binding positional and keyword arguments of a task call to its input names."""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any, Dict, FrozenSet, Sequence, Tuple

from flytekit.core.type_engine import UnionTransformer

if TYPE_CHECKING:
    from flytekit.core.base_task import PythonTask


def required_inputs(task: PythonTask) -> FrozenSet[str]:
    """Inputs a call must supply: those without a default, from the task function's signature if it has one.

    Without a function (instance tasks) the interface says: an input with a default value, or of an Optional
    type (``None`` is a value for it), may be left out.
    """
    cached: FrozenSet[str] | None = task.__dict__.get("_flytekit_ext_required")
    if cached is None:
        function = getattr(task, "task_function", None)
        names = task.python_interface.inputs
        if function is None:
            defaults = task.python_interface.inputs_with_defaults
            cached = frozenset(
                name
                for name, python_type in names.items()
                if defaults.get(name, (None, None))[1] is None and not UnionTransformer.is_optional_type(python_type)
            )
        else:
            parameters = inspect.signature(function).parameters
            cached = frozenset(n for n in names if n in parameters and parameters[n].default is inspect.Parameter.empty)
        task.__dict__["_flytekit_ext_required"] = cached
    return cached


def _input_names(task: PythonTask) -> Tuple[FrozenSet[str], FrozenSet[str]]:
    """The task's input names and its required ones, made once per task (every call checks against them)."""
    names: Tuple[FrozenSet[str], FrozenSet[str]] | None = task.__dict__.get("_flytekit_ext_input_names")
    if names is None:
        names = task.__dict__["_flytekit_ext_input_names"] = (
            frozenset(task.python_interface.inputs),
            required_inputs(task),
        )
    return names


def bind(task: PythonTask, args: Sequence[Any], kwargs: Dict[str, Any], *, check_required: bool) -> Dict[str, Any]:
    """The call's inputs by name; errors match flytekit's types and name the task and the input."""
    known, required = task.__dict__.get("_flytekit_ext_input_names") or _input_names(task)
    if not args and kwargs.keys() <= known and (not check_required or kwargs.keys() >= required):
        return kwargs  # by name, known names, nothing missing: the common call, checked with two set operations
    inputs = task.python_interface.inputs
    for name in kwargs:
        if name not in inputs:
            raise AssertionError(f"Received unexpected keyword argument '{name}' in function '{task.name}'")
    if len(args) > len(inputs):
        raise AssertionError(
            f"Received more arguments than expected in function '{task.name}'. "
            f"Expected {len(inputs)} but got {len(args)}"
        )
    bound = dict(kwargs)
    for value, name in zip(args, inputs):
        if name in bound:
            raise AssertionError(f"Got multiple values for argument '{name}' in function '{task.name}'")
        bound[name] = value
    if check_required:
        missing = [name for name in required_inputs(task) if name not in bound]
        if missing:
            described = ", ".join(f"'{name}' ({_type_name(inputs[name])})" for name in missing)
            raise TypeError(f"Task '{task.name}' is missing required input(s): {described}")
    return bound


def _type_name(python_type: Any) -> str:
    return getattr(python_type, "__name__", None) or repr(python_type)
