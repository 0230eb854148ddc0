"""Native values <-> flytekit literals for one task call: the round trip a cluster would make.

Every local call converts its inputs and outputs through flytekit's ``TypeEngine``, so a value that would
not survive the trip to a cluster fails here too, with the same messages flytekit gives.
"""

from __future__ import annotations

import collections
from typing import Any, Dict, Iterable, Tuple, Type

from flytekit.core.context_manager import FlyteContext
from flytekit.core.interface import Interface
from flytekit.core.promise import Promise, resolve_attr_path_recursively
from flytekit.core.type_engine import AsyncTypeTransformer, TypeEngine, TypeTransformerFailedError
from flytekit.models.interface import Variable
from flytekit.models.literals import Literal, LiteralMap


def needs_event_loop(python_types: Iterable[Type[Any]]) -> bool:
    """Whether converting values of these types runs asynchronous transformers (lists, dicts, unions, ...)."""
    return any(isinstance(TypeEngine.get_transformer(t), AsyncTypeTransformer) for t in python_types)


def _holds_promise(value: Any) -> bool:
    if isinstance(value, Promise):
        return True
    if isinstance(value, (list, tuple)):
        return any(_holds_promise(v) for v in value)
    if isinstance(value, dict):
        return any(_holds_promise(v) for v in value.values())
    return False


async def inputs_to_literals(
    ctx: FlyteContext,
    task_name: str,
    values: Dict[str, Any],
    variables: Dict[str, Variable],
    python_types: Dict[str, Type[Any]],
) -> LiteralMap:
    """Convert call inputs (native values, or promises of a local workflow run) to a literal map."""
    literals: Dict[str, Literal] = {}
    for name, value in values.items():
        try:
            if _holds_promise(value):
                value = await resolve_attr_path_recursively(value)
            literals[name] = await TypeEngine.async_to_literal(ctx, value, python_types[name], variables[name].type)
        except TypeTransformerFailedError as error:
            error.args = (
                f"Failed to convert inputs of task '{task_name}':\n  Failed argument '{name}': {error.args[0]}",
            )
            raise
    return LiteralMap(literals=literals)


async def literals_to_natives(
    ctx: FlyteContext, literal_map: LiteralMap, python_types: Dict[str, Type[Any]]
) -> Dict[str, Any]:
    """Convert the literals of a map to native values of the given types; names without a type are skipped."""
    return {
        name: await TypeEngine.async_to_python_value(ctx, literal, python_types[name])
        for name, literal in literal_map.literals.items()
        if name in python_types
    }


_tuple_classes: Dict[Tuple[str, Tuple[str, ...]], Type[Tuple[Any, ...]]] = {}


def _named_tuple(name: str, fields: Tuple[str, ...]) -> Type[Tuple[Any, ...]]:
    key = (name, fields)
    cls = _tuple_classes.get(key)
    if cls is None:
        cls = _tuple_classes[key] = collections.namedtuple(name, fields)
    return cls


async def outputs_to_natives(ctx: FlyteContext, interface: Interface, literal_map: LiteralMap) -> Any:
    """What a local call returns: ``None``, the single output, or a named tuple of the outputs."""
    outputs = interface.outputs
    if not outputs:
        return None
    values: Dict[str, Any] = {}
    for position, (name, python_type) in enumerate(outputs.items()):
        literal = literal_map.literals[name]
        try:
            values[name] = await TypeEngine.async_to_python_value(ctx, literal, python_type)
        except Exception as error:
            key = name if name != f"o{position}" else position
            raise TypeError(
                f"Failed to convert output in position {key} of value {literal}, expected type {python_type}."
            ) from error
    if len(values) == 1 and not interface.output_tuple_name:
        return next(iter(values.values()))
    return _named_tuple(interface.output_tuple_name or "DefaultNamedTupleOutput", tuple(values))(**values)


def placeholder_outputs(interface: Interface) -> Dict[str, None] | None:
    """Output names with no values, for a node skipped by a conditional branch."""
    return {name: None for name in interface.outputs} or None


async def outputs_to_literals(
    ctx: FlyteContext,
    task_name: str,
    interface: Interface,
    variables: Dict[str, Variable],
    returned: Any,
) -> Tuple[LiteralMap, Dict[str, Any]]:
    """Convert what a task body returned to its output literal map (and the outputs by name, for decks)."""
    names = list(variables)
    if not names:
        by_name: Dict[str, Any] = {}
    elif len(names) == 1:
        single_named_tuple = interface.output_tuple_name and isinstance(returned, tuple)
        by_name = {names[0]: returned[0] if single_named_tuple else returned}
    else:
        by_name = {name: returned[i] for i, name in enumerate(names)}

    literals: Dict[str, Literal] = {}
    for position, (name, value) in enumerate(by_name.items()):
        python_type = interface.outputs[name]
        if isinstance(value, tuple):
            raise TypeError(f"Output({name}) in task '{task_name}' received a tuple {value}, instead of {python_type}")
        try:
            literals[name] = await TypeEngine.async_to_literal(ctx, value, python_type, variables[name].type)
        except Exception as error:
            key = name if name != f"o{position}" else position
            error.args = (
                f"Failed to convert outputs of task '{task_name}' at position {key}.\n"
                f"Failed to convert type {type(value)} to type {python_type}.\n"
                f"Error Message: {error.args[0] if error.args else error}.",
            )
            raise
    return LiteralMap(literals=literals), by_name
