"""Functions and tasks as task inputs: a ``typing.Callable`` input travels as a cloudpickle of the callable.

Used by flytekit_ext's tasks only, for their own ``Callable[...]`` inputs and outputs (each task's interface
names it, see ``_flytekit_internals.use_transformer_for_callables``), so such an input works locally, in
workflows, in eager runs and through ``pyflyte-execute``, without flytekit's "falling back to pickle" warning,
while a plain flytekit task's ``Callable`` input stays what flytekit makes of it. A task passed this way is
pickled as a reference to its module-level definition and comes back as that same task, so calling it inside
an eager task still makes a child execution.

Unpickling runs code chosen by whoever made the pickle. It happens wherever a ``Callable`` literal becomes a
Python value: when a task with a ``Callable`` input starts (in its pod, and in every local call, which
round-trips its inputs), in whoever reads a ``Callable`` output (a local caller, a downstream pod, an eager
parent reading a child execution), and in ``FlyteRemote``'s ``execution.outputs[...]`` /
``execution.inputs[...]``. Only accept such values from sources you trust.
"""

from __future__ import annotations

import collections.abc
import typing
from typing import Any, Callable, Type

import cloudpickle
from flytekit.core.context_manager import FlyteContext
from flytekit.core.type_engine import TypeTransformer, TypeTransformerFailedError
from flytekit.models.literals import Binary, Literal, Scalar
from flytekit.models.types import LiteralType, SimpleType
from flytekit.types.pickle.pickle import FlytePickleTransformer

PICKLE_TAG = "cloudpickle"
_METADATA = {"format": PICKLE_TAG, "python_type": "Callable"}


class CallableTransformer(FlytePickleTransformer):
    """``typing.Callable[...]`` <-> a binary scalar holding the cloudpickled callable.

    A kind of flytekit's pickle transformer (what flytekit itself uses for callables), so code that checks
    for one still finds it; the value travels inline instead of as a pickle file.
    """

    def __init__(self) -> None:
        TypeTransformer.__init__(self, name="cloudpickled-callable", t=collections.abc.Callable)

    def get_literal_type(self, t: Type[Callable[..., Any]]) -> LiteralType:
        return LiteralType(simple=SimpleType.BINARY, metadata=dict(_METADATA))

    def assert_type(self, t: Type[Callable[..., Any]], v: Any) -> None:
        if not callable(v):
            raise TypeTransformerFailedError(f"Expected a callable for {t}, got {v!r} of type {type(v)}")

    def to_literal(
        self, ctx: FlyteContext, python_val: Callable[..., Any], python_type: Type[Any], expected: LiteralType
    ) -> Literal:
        self.assert_type(python_type, python_val)
        try:
            payload = cloudpickle.dumps(python_val)
        except Exception as error:
            raise TypeTransformerFailedError(
                f"Callable {python_val!r} cannot be pickled with cloudpickle, so it cannot be a task input: "
                f"{type(error).__name__}: {error}"
            ) from error
        return Literal(scalar=Scalar(binary=Binary(value=payload, tag=PICKLE_TAG)))

    def to_python_value(self, ctx: FlyteContext, lv: Literal, expected_python_type: Type[Any]) -> Callable[..., Any]:
        """Unpickle the callable. This runs code chosen by whoever made the literal: trust its source."""
        binary = lv.scalar.binary if lv.scalar is not None else None
        if binary is None or binary.tag != PICKLE_TAG:
            raise TypeTransformerFailedError(f"Expected a cloudpickled callable for {expected_python_type}, got {lv}")
        value = cloudpickle.loads(binary.value)
        if not callable(value):
            raise TypeTransformerFailedError(f"The pickled value for {expected_python_type} is not callable: {value!r}")
        return value

    async def async_to_literal(
        self, ctx: FlyteContext, python_val: Any, python_type: Type[Any], expected: LiteralType
    ) -> Literal:
        return self.to_literal(ctx, python_val, python_type, expected)

    async def async_to_python_value(self, ctx: FlyteContext, lv: Literal, expected_python_type: Type[Any]) -> Any:
        return self.to_python_value(ctx, lv, expected_python_type)

    def guess_python_type(self, literal_type: LiteralType) -> Type[Callable[..., Any]]:
        if literal_type.simple == SimpleType.BINARY and (literal_type.metadata or {}).get("format") == PICKLE_TAG:
            return typing.Callable  # type: ignore[return-value]
        raise ValueError(f"{literal_type} is not a cloudpickled callable")

    def to_html(self, *args: Any) -> str:
        """The callable in a deck: as a transformer, given ``(ctx, value, type)``; as the renderer flytekit takes
        it for, found in an ``Annotated`` type with a ``to_html``, given ``(value,)``."""
        python_val = args[1] if len(args) == 3 else args[0]
        return f"<pre>callable {getattr(python_val, '__qualname__', repr(python_val))}</pre>"


#: The one instance, named by the interfaces of flytekit_ext tasks with ``Callable`` inputs or outputs.
CALLABLE_TRANSFORMER = CallableTransformer()
