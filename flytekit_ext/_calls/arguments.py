"""Binding the positional and keyword arguments of a task call to its input names."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, Callable, Dict, FrozenSet, Mapping, Optional, Sequence, Tuple

from flytekit.core.type_engine import UnionTransformer


@dataclass(frozen=True)
class InputSignature:
    """A task's inputs as a call binds them: their names in order, and the ones a call must give."""

    task_name: str
    names: Tuple[str, ...]
    types: Mapping[str, Any]
    known: FrozenSet[str]
    required: FrozenSet[str]

    @staticmethod
    def of(task: Any) -> InputSignature:
        """The signature of ``task``'s inputs; see :func:`required_inputs` for which are required."""
        types = dict(task.python_interface.inputs)
        return InputSignature(task.name, tuple(types), types, frozenset(types), required_inputs(task))


def _parameters_without_default(function: Callable[..., Any]) -> Optional[FrozenSet[str]]:
    """The parameters a call of ``function`` by keyword must give, read from its code whatever ``__signature__`` it
    shows; ``None`` when it has no code to read.

    Its own parameters without a default, and if it takes ``**kwargs`` and wraps another function
    (``functools.wraps``), what that one needs of the names it hands on, since those come from the caller.
    """
    code = getattr(function, "__code__", None)
    if code is None:
        return None
    positional = code.co_varnames[: code.co_argcount]
    named = (*positional, *code.co_varnames[code.co_argcount : code.co_argcount + code.co_kwonlyargcount])
    with_default = {*positional[len(positional) - len(function.__defaults__ or ()) :], *(function.__kwdefaults__ or {})}
    needed = frozenset(name for name in named if name not in with_default)
    wrapped = getattr(function, "__wrapped__", None)
    if code.co_flags & inspect.CO_VARKEYWORDS and wrapped is not None:
        needed |= (_parameters_without_default(wrapped) or frozenset()) - set(named)
    return needed


def required_inputs(task: Any) -> FrozenSet[str]:
    """Inputs a call must supply: those the task's body really needs and that have no default.

    flytekit calls a function task's function with the inputs given, so an input is required only where that call
    would fail without it (:func:`_parameters_without_default`): a wrapper that takes ``**kwargs`` around a function
    that does too needs none of them, whatever ``__signature__`` it shows. Without a function (instance tasks) the
    interface says: an input with a default value, or of an ``Optional`` type (``None`` is a value for it), may
    be left out.
    """
    names = task.python_interface.inputs
    function = getattr(task, "task_function", None)
    if function is None:
        defaults = task.python_interface.inputs_with_defaults
        return frozenset(
            name
            for name, python_type in names.items()
            if defaults.get(name, (None, None))[1] is None and not UnionTransformer.is_optional_type(python_type)
        )
    needed = _parameters_without_default(function)
    if needed is None:
        parameters = inspect.signature(function).parameters
        needed = frozenset(n for n, p in parameters.items() if p.default is inspect.Parameter.empty)
    return frozenset(name for name in names if name in needed)


def bind(
    signature: InputSignature, args: Sequence[Any], kwargs: Dict[str, Any], *, check_required: bool
) -> Dict[str, Any]:
    """The call's inputs by name; a mistake is a ``TypeError`` naming the task, the input(s) and the inputs it has."""
    if not args and kwargs.keys() <= signature.known and (not check_required or kwargs.keys() >= signature.required):
        return kwargs  # by name, known names, nothing missing: the common call
    task, names = signature.task_name, signature.names
    # The first words are flytekit's own messages for these mistakes, so code matching them keeps working.
    for name in kwargs:
        if name not in signature.known:
            raise TaskInputsError(
                f"Received unexpected keyword argument '{name}' in function '{task}': {_accepted(signature)}."
            )
    if len(args) > len(names):
        raise TaskInputsError(
            f"Received more arguments than expected in function '{task}'. Expected {len(names)} but got "
            f"{len(args)}: {_accepted(signature)}."
        )
    bound = dict(kwargs)
    for value, name in zip(args, names):
        if name in bound:
            raise TaskInputsError(
                f"Got multiple values for argument '{name}' in function '{task}': by position and by name. Pass it "
                f"once, as in {_call(signature, names)}."
            )
        bound[name] = value
    if check_required:
        missing = [name for name in names if name in signature.required and name not in bound]
        if missing:
            described = ", ".join(f"'{name}' ({_type_name(signature.types[name])})" for name in missing)
            raise TypeError(
                f"Task '{task}' is missing required input(s): {described}. Pass them: "
                f"{_call(signature, [name for name in names if name in bound or name in missing])}."
            )
    return bound


def _accepted(signature: InputSignature) -> str:
    if not signature.names:
        return f"it has no inputs: call it as {_call(signature, ())}"
    return f"its inputs are {', '.join(signature.names)}: call it as {_call(signature, signature.names)}"


def _call(signature: InputSignature, names: Sequence[str]) -> str:
    """A call of the task by name with ``names``, as a message shows it: ``add(x=..., y=...)``."""
    return f"{signature.task_name.rsplit('.', 1)[-1]}({', '.join(f'{name}=...' for name in names)})"


class TaskInputsError(TypeError, AssertionError):
    """A call's inputs do not fit the task: a ``TypeError``, as for a function; also the ``AssertionError``
    flytekit raises for the same mistakes, so code written against flytekit still catches it."""


def _type_name(python_type: Any) -> str:
    return getattr(python_type, "__name__", None) or repr(python_type)
