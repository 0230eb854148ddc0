"""Native values <-> flytekit literals for one task call: the round trip a cluster would make.

Every local call converts its inputs and outputs through flytekit's type transformers, so a value that
would not survive the trip to a cluster fails here too, with the messages flytekit gives. What is saved is
the lookup: ``TypeEngine`` searches its registry (and checks its lazy imports) on every conversion, while a
:class:`Converter` finds its transformer once per task and type. Conversions are synchronous; the few
transformers that are coroutines (lists, dicts, unions; but not a list of primitives, whose elements go
through their own transformer one by one) run on an event loop of their own
(:func:`~flytekit_ext._core.loops.run_coroutine`), and callers on an event loop convert such values on a
worker thread (``needs_loop``) so the loop is never blocked.
"""

from __future__ import annotations

import collections
from typing import Any, Dict, Mapping, Optional, Tuple, Type

from flytekit.core.context_manager import FlyteContext
from flytekit.core.promise import Promise, resolve_attr_path_recursively
from flytekit.core.type_engine import (
    AsyncTypeTransformer,
    ListTransformer,
    TypeEngine,
    TypeTransformer,
    TypeTransformerFailedError,
    is_annotated,
    modify_literal_uris,
)
from flytekit.models.interface import Variable
from flytekit.models.literals import Literal, LiteralCollection, LiteralMap
from flytekit.models.types import LiteralType

from flytekit_ext._core.loops import run_coroutine
from flytekit_ext._runtime import local_data
from flytekit_ext._runtime.output_metadata import attach_output_metadata

_CHECKED_BY_TRANSFORMER = frozenset({int, float, str, bool})
# Where a primitive literal holds a value of each of these types.
_PRIMITIVE_FIELDS = {int: "integer", float: "float_value", str: "string_value", bool: "boolean"}


class Converter:
    """Converts values of one Python type to and from literals of one literal type."""

    __slots__ = (
        "python_type",
        "literal_type",
        "transformer",
        "is_async",
        "needs_loop",
        "hashed",
        "exact_primitive",
        "primitive_field",
        "element",
        "in_memory",
        "reads_files",
    )

    def __init__(self, python_type: Type[Any], literal_type: LiteralType) -> None:
        self.python_type = python_type
        self.literal_type = literal_type
        self.transformer: TypeTransformer[Any] = TypeEngine.get_transformer(python_type)
        self.is_async = isinstance(self.transformer, AsyncTypeTransformer)
        #: Converting a value may run coroutines: callers on an event loop convert on a worker thread.
        self.needs_loop = self.is_async
        self.hashed = is_annotated(python_type)  # only an Annotated[..., HashMethod] type carries a hash
        # For these, flytekit's own transformer rejects any value whose type is not exactly the declared one,
        # so a value of exactly that type needs none of the checks before the conversion.
        self.exact_primitive = (
            python_type if isinstance(python_type, type) and python_type in _CHECKED_BY_TRANSFORMER else None
        )
        self.primitive_field = _PRIMITIVE_FIELDS.get(self.exact_primitive) if self.exact_primitive else None
        # A list of primitives (List[int], ...): flytekit's list transformer converts each element through the
        # element's transformer, as coroutines on an event loop. Here each element goes through that same
        # transformer without a loop: to a literal when every element has exactly the element type, back from a
        # collection literal always. Any other value goes to flytekit's list transformer, on a loop of its own
        # (rare enough not to need a worker thread: a mistyped element, which it then reports).
        #: Dataframes of this type may travel in memory in a local run (see ``_runtime.local_data``).
        self.in_memory = local_data.in_memory_type(python_type, literal_type)
        #: A dataset read as another type (polars, Spark, a FlyteSchema): its decoder may read the URI outside
        #: this process's fsspec (Spark's JVM) or keep the URI past the value's life (FlyteSchema passes it on),
        #: so an in-memory dataframe is written as Parquet files first, as flytekit writes every one.
        self.reads_files = not self.in_memory and (
            literal_type.structured_dataset_type is not None or literal_type.schema is not None
        )
        self.element: Optional[Converter] = None
        if type(self.transformer) is ListTransformer and literal_type.collection_type is not None and not self.hashed:
            element = Converter(ListTransformer.get_sub_type(python_type), literal_type.collection_type)
            if element.exact_primitive is not None:
                self.element = element
                self.needs_loop = False

    def to_literal(self, ctx: FlyteContext, value: Any, local: bool = False) -> Literal:
        """flytekit's checks and conversion; a promise (of a local workflow run) already holds its literal.

        ``local``: the value goes to a task run in this process, so a dataframe may stay in memory.
        """
        if type(value) is self.exact_primitive:
            return self.transformer.to_literal(ctx, value, self.python_type, self.literal_type)
        element = self.element
        if element is not None and type(value) is list and all(type(v) is element.exact_primitive for v in value):
            convert, python_type, literal_type = (
                element.transformer.to_literal,
                element.python_type,
                element.literal_type,
            )
            return Literal(
                collection=LiteralCollection(literals=[convert(ctx, v, python_type, literal_type) for v in value])
            )
        TypeEngine.to_literal_checks(value, self.python_type, self.literal_type)
        if isinstance(value, Promise):
            return value.val
        transformer: Any = self.transformer
        if transformer.type_assertions_enabled:
            transformer.assert_type(self.python_type, value)
        kept = local_data.literal_of(value, self.literal_type) if local and self.in_memory else None
        if kept is not None:
            literal = kept
        elif self.is_async:
            literal = run_coroutine(transformer.async_to_literal(ctx, value, self.python_type, self.literal_type))
        else:
            literal = transformer.to_literal(ctx, value, self.python_type, self.literal_type)
        scalar = literal.scalar
        if scalar is None or scalar.primitive is None:  # only blobs and containers can hold flyte:// URIs
            modify_literal_uris(literal)
        if self.hashed:
            literal.hash = TypeEngine.calculate_hash(value, self.python_type)
        return literal

    def to_python(self, ctx: FlyteContext, literal: Literal) -> Any:
        element = self.element
        if element is not None and literal.collection is not None and not literal.offloaded_metadata:
            return [element.to_python(ctx, item) for item in literal.collection.literals]
        if self.primitive_field is not None:
            # A primitive literal already holds the value: reading it back is what flytekit's transformer
            # does. Anything else (a float literal for an int input, as Flyte's console sends) goes to it.
            scalar = literal.scalar
            primitive = scalar.primitive if scalar is not None else None
            if primitive is not None:
                value = getattr(primitive, self.primitive_field)
                if type(value) is self.exact_primitive:
                    return value
        if self.reads_files:
            literal = local_data.materialized(ctx, literal)
        if self.in_memory:
            kept = local_data.kept_of(literal)
            value = local_data.value_of(kept, self.python_type) if kept is not None else None
            if value is not None:
                return value
        if self.is_async or literal.offloaded_metadata:
            return run_coroutine(TypeEngine.async_to_python_value(ctx, literal, self.python_type))
        return self.transformer.to_python_value(ctx, literal, self.python_type)


class Converters:
    """The converters of one side (inputs or outputs) of a task's interface."""

    __slots__ = ("by_name", "names", "needs_loop")

    def __init__(self, python_types: Mapping[str, Type[Any]], variables: Mapping[str, Variable]) -> None:
        self.by_name = {name: Converter(t, variables[name].type) for name, t in python_types.items()}
        self.names = tuple(self.by_name)
        self.needs_loop = any(c.needs_loop for c in self.by_name.values())


class TaskConverters:
    """The converters of a task's inputs and outputs, made once per task.

    ``tuple_name`` is the name of the ``NamedTuple`` the task returns, if it declares one: it says how what the
    body returns maps to output names, and what a call returns.
    """

    __slots__ = ("inputs", "outputs", "tuple_name", "single_output")

    def __init__(self, task: Any) -> None:
        interface = task.python_interface
        self.inputs = Converters(interface.inputs, task.interface.inputs)
        self.outputs = Converters(interface.outputs, task.interface.outputs)
        self.tuple_name: Optional[str] = interface.output_tuple_name
        #: The name and converter of the output a call returns as it is (one output, not a named tuple).
        self.single_output: Optional[Tuple[str, Converter]] = (
            next(iter(self.outputs.by_name.items())) if len(self.outputs.names) == 1 and not self.tuple_name else None
        )

    @staticmethod
    def of(task: Any) -> TaskConverters:
        """The converters of any task: a flytekit_ext task's own, made once; another's, made now."""
        converters = getattr(task, "converters", None)
        return converters if isinstance(converters, TaskConverters) else TaskConverters(task)


def _holds_promise(value: Any) -> bool:
    if isinstance(value, Promise):
        return True
    if isinstance(value, (list, tuple)):
        return any(_holds_promise(v) for v in value)
    if isinstance(value, dict):
        return any(_holds_promise(v) for v in value.values())
    return False


def _needs_resolving(value: Any) -> bool:
    """A promise with an attribute path (``t().x``), or a container holding promises."""
    if isinstance(value, Promise):
        return bool(value.attr_path)
    return isinstance(value, (list, tuple, dict)) and _holds_promise(value)


def inputs_to_literals(
    ctx: FlyteContext, task: Any, values: Dict[str, Any], inputs: Converters, local: bool = False
) -> LiteralMap:
    """Convert call inputs (native values, or promises of a local workflow run) to a literal map; ``local``: for a
    call run in this process, whose dataframes may stay in memory."""
    literals: Dict[str, Literal] = {}
    for name, value in values.items():
        converter = inputs.by_name[name]
        try:
            if type(value) is not converter.exact_primitive and _needs_resolving(value):
                value = run_coroutine(resolve_attr_path_recursively(value))
            literals[name] = converter.to_literal(ctx, value, local)
        except TypeTransformerFailedError as error:
            error.args = (
                f"Failed to convert inputs of task '{task.name}':\n  Failed argument '{name}': {error.args[0]}",
            )
            raise
    return LiteralMap(literals)  # by position: a keyword costs flytekit's model class about 0.15 µs


def literals_to_natives(ctx: FlyteContext, literal_map: LiteralMap, side: Converters) -> Dict[str, Any]:
    """Native values of a literal map's entries; an entry that cannot be converted is named in the error."""
    by_name = side.by_name
    given = literal_map.literals
    if len(given) > len(by_name):
        raise ValueError(f"Received more input values {len(given)} than allowed by the input spec {len(by_name)}")
    natives: Dict[str, Any] = {}
    for name, literal in given.items():
        converter = by_name[name]
        try:
            natives[name] = converter.to_python(ctx, literal)
        except Exception as error:
            raise TypeTransformerFailedError(
                f"Error converting input '{name}':\nLiteral value: {literal!r}\n"
                f"Expected Python type: {converter.python_type!r}\nException: {error}"
            ) from error
    return natives


_tuple_classes: Dict[Tuple[str, Tuple[str, ...]], Type[Tuple[Any, ...]]] = {}


def call_result(ctx: FlyteContext, literal_map: LiteralMap, converters: TaskConverters) -> Any:
    """What a local call returns for its output literals: ``None``, the single output, or a named tuple of the
    outputs; an output that cannot be converted back is named in the error."""
    given = literal_map.literals
    single = converters.single_output
    if single is not None:
        return _output_value(ctx, given, 0, *single)
    values = {
        name: _output_value(ctx, given, position, name, converter)
        for position, (name, converter) in enumerate(converters.outputs.by_name.items())
    }
    if not values:
        return None
    key = (converters.tuple_name or "DefaultNamedTupleOutput", converters.outputs.names)
    cls = _tuple_classes.get(key)
    if cls is None:
        cls = _tuple_classes[key] = collections.namedtuple(*key)
    return cls(**values)


def _output_value(ctx: FlyteContext, given: Dict[str, Literal], position: int, name: str, converter: Converter) -> Any:
    literal = given[name]
    try:
        return converter.to_python(ctx, literal)
    except Exception as error:
        shown = name if name != f"o{position}" else position
        raise TypeError(
            f"Failed to convert output in position {shown} of value {literal}, expected type {converter.python_type}."
        ) from error


def returned_by_name(tuple_name: Optional[str], names: Tuple[str, ...], returned: Any) -> Dict[str, Any]:
    """What a task body returned, keyed by output name."""
    if not names:
        return {}
    if len(names) == 1:
        single_named_tuple = tuple_name and isinstance(returned, tuple)
        return {names[0]: returned[0] if single_named_tuple else returned}
    return {name: returned[i] for i, name in enumerate(names)}


def outputs_to_literals(
    ctx: FlyteContext, task: Any, by_name: Dict[str, Any], outputs: Converters, local: bool = False
) -> LiteralMap:
    """What a task body returned, as its output literal map; errors name the task and the output.

    Metadata the body attached to an output (artifact partitions, extra items: flytekit's output metadata
    tracker) travels on that output's literal, as with flytekit.
    """
    literals: Dict[str, Literal] = {}
    for position, (name, value) in enumerate(by_name.items()):
        converter = outputs.by_name[name]
        if isinstance(value, tuple):
            raise TypeError(
                f"Output({name}) in task '{task.name}' received a tuple {value}, instead of {converter.python_type}"
            )
        try:
            literals[name] = converter.to_literal(ctx, value, local)
        except Exception as error:
            key = name if name != f"o{position}" else position
            error.args = (
                f"Failed to convert outputs of task '{task.name}' at position {key}.\n"
                f"Failed to convert type {type(value)} to type {converter.python_type}.\n"
                f"Error Message: {error.args[0] if error.args else error}.",
            )
            raise
    tracker = ctx.output_metadata_tracker
    if tracker is not None and tracker.output_metadata:
        attach_output_metadata(ctx, tracker, by_name, literals)
    return LiteralMap(literals)
