"""Values flytekit refuses and Flyte 2 takes: ``tuple[...]``, ``NamedTuple``, ``TypedDict``, a ``Literal`` of
mixed types, a bare ``list``, and a ``dict`` given for a pydantic model.

flytekit's type engine refuses tuples outright (a restricted type), cannot check a value against a
``TypedDict``, takes a ``Literal`` of one type only, and wants a model instance for a pydantic model. Flyte 2 takes
all of them. Rather than register transformers, which would change what every flytekit task may declare,
``@env.task`` gives the facade's tasks their own: each such type in a task's inputs, or inside its outputs, is
annotated with a transformer for that type (``Annotated[tuple[int, str], TupleTransformer(...)]``, which flytekit's
type engine picks for that annotation only). A plain flytekit task is unchanged.

* a tuple or ``NamedTuple`` of values a dataclass field may hold: :class:`TupleTransformer`, as below;
* a ``Literal`` of mixed types, and a bare ``list``: flytekit's pickle transformer (as Flyte 2, any value is
  taken, unchecked);
* a ``TypedDict``, or a tuple holding a pydantic model or one:
  :class:`PydanticValueTransformer`, the value as JSON (msgpack) in a literal, read and written by pydantic (as
  Flyte 2 does; these need pydantic installed, and stay as flytekit takes them without it);
* a pydantic model: flytekit's own transformer, given the model made from a ``dict`` when a dict is passed.

flytekit's type engine also refuses any tuple *value* before it looks for a transformer
(``TypeEngine.to_literal_checks``), and a task's outputs are refused if one is a tuple. A facade task's body
hands its tuple-valued outputs on as :class:`TupleValue` (a list; :func:`tuples_boxed`), which the transformer
takes as the tuple it holds. :func:`allow_tuple_values` wraps that check, once, so that it lets a tuple
through when the type it is converted as carries a :class:`TupleTransformer`, which only a facade task's
types do; for every other type the check is flytekit's, unchanged. This is the one change the facade makes to
flytekit itself.

A tuple travels as a dataclass with one field per element (named ``v0``, ``v1``, ... or by the
``NamedTuple``'s fields), through flytekit's dataclass transformer, so its elements may be anything a dataclass
field may be (numbers, strings, lists, dataclasses, nested tuples). A task's own return annotation
``-> tuple[int, str]`` (or a ``NamedTuple``) still names several outputs, as in flytekit and Flyte 2.
"""

from __future__ import annotations

import dataclasses
import html
import sys
import types
import typing
from typing import Any, Callable, Dict, Optional, Tuple, Type

import msgpack
import typing_extensions
from flytekit.core.constants import MESSAGEPACK
from flytekit.core.context_manager import FlyteContext
from flytekit.core.type_engine import DataclassTransformer, TypeEngine, TypeTransformer, TypeTransformerFailedError
from flytekit.models.literals import Binary, Literal, Scalar
from flytekit.models.types import LiteralType, SimpleType
from flytekit.types.pickle.pickle import FlytePickleTransformer
from typing_extensions import Annotated, get_args, get_origin


class TupleValue(list):
    """A tuple on its way out of a task body (see the module's description)."""


def _is_named_tuple(python_type: Any) -> bool:
    return isinstance(python_type, type) and issubclass(python_type, tuple) and hasattr(python_type, "_fields")


def _is_tuple(python_type: Any) -> bool:
    return get_origin(python_type) is tuple or _is_named_tuple(python_type)


class TupleTransformer(TypeTransformer[tuple]):
    """Converts one tuple type (or ``NamedTuple``) to and from the literal of a dataclass with its elements."""

    def __init__(self, python_type: Any) -> None:
        super().__init__(f"tuple:{python_type}", tuple)
        self._python_type = python_type
        if _is_named_tuple(python_type):
            hints = typing.get_type_hints(python_type)
            fields = [(name, hints.get(name, Any)) for name in python_type._fields]
        else:
            elements = get_args(python_type)
            if not elements or Ellipsis in elements:
                raise TypeError(f"{python_type}: a tuple must name the type of each element, as tuple[int, str]")
            fields = [(f"v{index}", element) for index, element in enumerate(elements)]
        self._names = [name for name, _ in fields]
        self._dataclass = dataclasses.make_dataclass(f"Tuple_{'_'.join(self._names)}", fields)

    def get_literal_type(self, t: Type[tuple]) -> LiteralType:
        return TypeEngine.to_literal_type(self._dataclass)

    def to_literal(
        self, ctx: FlyteContext, python_val: tuple, python_type: Type[tuple], expected: LiteralType
    ) -> Literal:
        if not isinstance(python_val, (tuple, TupleValue)) or len(python_val) != len(self._names):
            raise TypeError(f"Expected a {self._python_type} with {len(self._names)} elements, got {python_val!r}")
        value = self._dataclass(**dict(zip(self._names, python_val)))
        return TypeEngine.to_literal(ctx, value, self._dataclass, expected)

    def to_python_value(self, ctx: FlyteContext, lv: Literal, expected_python_type: Type[tuple]) -> tuple:
        value = TypeEngine.to_python_value(ctx, lv, self._dataclass)
        elements = [getattr(value, name) for name in self._names]
        if _is_named_tuple(self._python_type):
            return self._python_type(*elements)
        return tuple(elements)

    def to_html(self, *args: Any) -> str:
        return _html(*args)

    def __repr__(self) -> str:
        return f"TupleTransformer({self._python_type})"


def _html(*args: Any) -> str:
    # Called as a transformer (ctx, value, type) and, being in an Annotated type, as a deck renderer (value).
    value = args[1] if len(args) == 3 else args[0]
    return html.escape(repr(tuple(value) if isinstance(value, TupleValue) else value))


class PydanticValueTransformer(TypeTransformer[object]):
    """A value of a type pydantic reads and writes (see the module's description), as JSON in a msgpack literal."""

    def __init__(self, python_type: Any) -> None:
        from pydantic import TypeAdapter

        super().__init__(f"pydantic:{python_type}", object)
        self._python_type = python_type
        self._adapter: Any = TypeAdapter(_typed_dict_for_pydantic(python_type))

    def get_literal_type(self, t: Any) -> LiteralType:
        return LiteralType(simple=SimpleType.STRUCT, metadata={"pydantic": str(self._python_type)})

    def to_literal(self, ctx: FlyteContext, python_val: Any, python_type: Any, expected: LiteralType) -> Literal:
        value = tuple(python_val) if isinstance(python_val, TupleValue) else python_val
        try:
            data = self._adapter.dump_python(self._adapter.validate_python(value), mode="json")
        except ValueError as error:  # pydantic's ValidationError: the value is not of the type
            raise TypeTransformerFailedError(f"{value!r} is not a {self._python_type}: {error}") from error
        # msgpack, as flytekit stores dataclasses and pydantic models (a protobuf Struct would make ints floats).
        return Literal(scalar=Scalar(binary=Binary(value=msgpack.dumps(data), tag=MESSAGEPACK)))

    def to_python_value(self, ctx: FlyteContext, lv: Literal, expected_python_type: Any) -> Any:
        if lv.scalar is None or lv.scalar.binary is None:
            raise TypeTransformerFailedError(f"Expected a msgpack literal for {self._python_type}, got {lv}")
        return self._adapter.validate_python(msgpack.loads(lv.scalar.binary.value))

    def to_html(self, *args: Any) -> str:
        return _html(*args)

    def __repr__(self) -> str:
        return f"PydanticValueTransformer({self._python_type})"


class ModelFromDictTransformer(TypeTransformer[object]):
    """A pydantic model or a dataclass, given as itself or as a ``dict`` of its fields (made into one by pydantic);
    stored by flytekit's own transformer."""

    def __init__(self, model: Any) -> None:
        super().__init__(f"model:{model}", model)
        self._model = model

    def get_literal_type(self, t: Any) -> LiteralType:
        return TypeEngine.to_literal_type(self._model)

    def to_literal(self, ctx: FlyteContext, python_val: Any, python_type: Any, expected: LiteralType) -> Literal:
        if isinstance(python_val, dict):
            from pydantic import TypeAdapter

            python_val = TypeAdapter(self._model).validate_python(python_val)
        return TypeEngine.to_literal(ctx, python_val, self._model, expected)

    def to_python_value(self, ctx: FlyteContext, lv: Literal, expected_python_type: Any) -> Any:
        return TypeEngine.to_python_value(ctx, lv, self._model)

    def to_html(self, *args: Any) -> str:
        return _html(*args)

    def __repr__(self) -> str:
        return f"ModelFromDictTransformer({self._model})"


_FACADE_TRANSFORMERS = (TupleTransformer, PydanticValueTransformer, ModelFromDictTransformer)


def _is_model(python_type: Any) -> bool:
    base = getattr(sys.modules.get("pydantic"), "BaseModel", None)
    return base is not None and isinstance(python_type, type) and issubclass(python_type, base)


def _is_plain_dataclass(python_type: Any) -> bool:
    """A dataclass flytekit's dataclass transformer stores (not File, Dir or another registered type)."""
    return (
        isinstance(python_type, type)
        and dataclasses.is_dataclass(python_type)
        and isinstance(TypeEngine.get_transformer(python_type), DataclassTransformer)
    )


def _typed_dict_for_pydantic(python_type: Any) -> Any:
    """``python_type`` with every ``typing.TypedDict`` in it remade as a ``typing_extensions.TypedDict`` (pydantic
    takes only those before Python 3.12); the values are plain dicts either way.

    The remade classes live in a module of their own, and a TypedDict met again inside itself (a tree of nodes)
    is referred to by its name there, which pydantic resolves in that module.
    """
    if sys.version_info >= (3, 12):
        return python_type
    namespace = types.ModuleType(f"flytekit_ext_flyte_typed_dicts_{id(python_type)}")
    sys.modules[namespace.__name__] = namespace
    names: Dict[int, str] = {}

    def remade(kind: Any) -> Any:
        if typing_extensions.is_typeddict(kind):
            if id(kind) in names:
                return typing.ForwardRef(names[id(kind)])
            name = names[id(kind)] = f"{kind.__name__}_{len(names)}"
            fields = {}
            for field, hint in typing.get_type_hints(kind, include_extras=True).items():
                # NotRequired[...] as written (a postponed annotation hides it from __required_keys__).
                wrapper = get_origin(hint)
                if wrapper in (typing_extensions.NotRequired, typing_extensions.Required):
                    fields[field] = wrapper[remade(get_args(hint)[0])]
                elif field in getattr(kind, "__required_keys__", ()):
                    fields[field] = remade(hint)
                else:
                    fields[field] = typing_extensions.NotRequired[remade(hint)]
            made: Any = typing_extensions.TypedDict(name, fields)  # type: ignore[misc]
            made.__module__ = namespace.__name__
            setattr(namespace, name, made)
            return made
        arguments = get_args(kind)
        if not arguments or get_origin(kind) in (typing.Literal, Annotated):
            return kind
        changed = tuple(remade(argument) for argument in arguments)
        if changed == arguments:
            return kind
        if isinstance(kind, types.GenericAlias):
            return types.GenericAlias(get_origin(kind), changed)
        return typing.cast(Any, kind).copy_with(changed)

    return remade(python_type)


def _is_mixed_literal(python_type: Any) -> bool:
    return get_origin(python_type) is typing.Literal and len({type(v) for v in get_args(python_type)}) > 1


def _needs_pydantic(python_type: Any) -> bool:
    """Whether ``python_type`` holds (anywhere) a type only pydantic handles here: a TypedDict, a mixed Literal,
    a pydantic model inside a tuple."""
    if typing_extensions.is_typeddict(python_type) or _is_mixed_literal(python_type) or _is_model(python_type):
        return True
    if _is_named_tuple(python_type):
        return any(_needs_pydantic(hint) for hint in typing.get_type_hints(python_type).values())
    return any(_needs_pydantic(argument) for argument in get_args(python_type) if argument is not Ellipsis)


def _pydantic_transformer(python_type: Any) -> Optional[PydanticValueTransformer]:
    try:
        return PydanticValueTransformer(python_type)
    except ImportError:  # without pydantic the type stays as flytekit takes it (and reports it)
        return None


def with_tuple_transformers(python_type: Any) -> Any:
    """``python_type`` with each type flytekit refuses in it annotated with a transformer of its own (see the
    module's description); unchanged if it has none."""
    if _is_mixed_literal(python_type) or python_type in (list, typing.List):
        # Flyte 2 takes any value for a Literal of mixed types (it does not check it), and a bare ``list`` (which
        # flytekit refuses as a generic list): pickled, unchecked.
        return Annotated[python_type, FlytePickleTransformer()]
    if typing_extensions.is_typeddict(python_type):
        made = _pydantic_transformer(python_type)
        return Annotated[python_type, made] if made is not None else python_type
    if _is_tuple(python_type):
        made = _pydantic_transformer(python_type) if _needs_pydantic(python_type) else None
        return Annotated[python_type, made or TupleTransformer(python_type)]
    if _is_model(python_type) or _is_plain_dataclass(python_type):
        return Annotated[python_type, ModelFromDictTransformer(python_type)]
    origin, arguments = get_origin(python_type), get_args(python_type)
    if origin is None or not arguments or origin is Annotated:
        return python_type
    changed = tuple(with_tuple_transformers(argument) for argument in arguments)
    if changed == arguments:
        return python_type
    if origin is typing.Union or origin is types.UnionType:
        return typing.Union[changed]
    if isinstance(python_type, types.GenericAlias):  # list[...], dict[...]
        return types.GenericAlias(origin, changed)
    return typing.cast(Any, python_type).copy_with(changed)  # typing.List[...], typing.Dict[...]


def _outputs_with_tuple_transformers(returned: Any) -> Any:
    """A return annotation whose outputs (a tuple's elements, or a NamedTuple's fields) hold tuples, annotated."""
    if get_origin(returned) is tuple:
        elements = get_args(returned)
        changed = tuple(with_tuple_transformers(element) for element in elements)
        return returned if changed == elements else Tuple[changed]
    if _is_named_tuple(returned):
        hints = typing.get_type_hints(returned)
        changed_fields = [(name, with_tuple_transformers(hints.get(name, Any))) for name in returned._fields]
        if all(hints.get(name, Any) is kind for name, kind in changed_fields):
            return returned
        return typing.NamedTuple(returned.__name__, changed_fields)
    return with_tuple_transformers(returned)


def with_tuple_types(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` itself if none of its types needs a transformer of its own and it has a return annotation;
    else a copy of it (same code, same globals, defaults and name) whose annotations carry the transformers (and
    say ``-> None`` where it had no return annotation)."""
    try:
        hints: Dict[str, Any] = typing.get_type_hints(function)
    except Exception:  # annotations flytekit cannot read either: it reports them when it makes the task
        return function
    changed: Dict[str, Any] = {}
    for name, hint in hints.items():
        changed[name] = _outputs_with_tuple_transformers(hint) if name == "return" else with_tuple_transformers(hint)
    if "return" not in hints:
        # No return annotation: no outputs, as in Flyte 2 (flytekit, asked to pickle what has no type, would
        # make it one output of any type).
        changed["return"] = None
    if "return" in hints and all(changed[name] is hints[name] for name in hints):
        return function
    code: Optional[types.CodeType] = getattr(function, "__code__", None)
    if code is None or not isinstance(function, types.FunctionType):
        return function
    copy = types.FunctionType(
        code, function.__globals__, function.__name__, function.__defaults__, function.__closure__
    )
    copy.__kwdefaults__ = function.__kwdefaults__
    copy.__dict__.update(function.__dict__)
    copy.__qualname__ = function.__qualname__
    copy.__module__ = function.__module__
    copy.__doc__ = function.__doc__
    copy.__annotations__ = changed
    return copy


def _carries_tuple_transformer(python_type: Any) -> bool:
    return get_origin(python_type) is Annotated and any(
        isinstance(annotation, _FACADE_TRANSFORMERS) for annotation in get_args(python_type)[1:]
    )


def allow_tuple_values() -> None:
    """Let ``TypeEngine.to_literal_checks`` pass a tuple converted as a type with a :class:`TupleTransformer`."""
    checks = TypeEngine.__dict__["to_literal_checks"].__func__
    if getattr(checks, "_flytekit_ext_flyte", False):
        return

    def to_literal_checks(cls: Any, python_val: Any, python_type: Any, expected: Any) -> None:
        if isinstance(python_val, tuple) and _carries_tuple_transformer(python_type):
            return
        checks(cls, python_val, python_type, expected)

    to_literal_checks._flytekit_ext_flyte = True  # type: ignore[attr-defined]
    TypeEngine.to_literal_checks = classmethod(to_literal_checks)


class TupleOutputs:
    """Which outputs of a task are tuples (by position), read once from its interface."""

    def __init__(self, outputs: Dict[str, Any], named_tuple: bool) -> None:
        self.positions = [i for i, kind in enumerate(outputs.values()) if _carries_tuple_transformer(kind)]
        self.several = len(outputs) > 1 or named_tuple

    def boxed(self, returned: Any) -> Any:
        """What the body returned, with each tuple-valued output a :class:`TupleValue`."""
        if not self.positions or returned is None:
            return returned
        if not self.several:
            return TupleValue(returned) if isinstance(returned, tuple) else returned
        if not isinstance(returned, tuple):
            return returned  # not what the task declares: flytekit_ext reports it
        values = list(returned)
        for position in self.positions:
            if position < len(values) and isinstance(values[position], tuple):
                values[position] = TupleValue(values[position])
        return tuple(values)


def tuple_outputs(interface: Any) -> TupleOutputs:
    return TupleOutputs(dict(interface.outputs), bool(interface.output_tuple_name))
