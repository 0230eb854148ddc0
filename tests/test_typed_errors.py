"""``flytekit_ext.errors``: what a failed call raises in an eager task (locally here; tests/backend on a backend)."""

import asyncio
import pickle
import typing

import pytest
from flytekit.exceptions.eager import EagerException
from flytekit.models.core.execution import ExecutionError

import flytekit_ext
from flytekit_ext import eager, errors, task
from flytekit_ext._runtime.typed_errors import from_execution, message_of


class RoomError(Exception):
    """Its name contains OOM: Flyte 2 reads that as out of memory, and so does flytekit_ext."""


@task
def raises(kind: str) -> int:
    if kind == "value":
        raise ValueError("bad 1")
    if kind == "key":
        raise KeyError(8)
    if kind == "oom":
        raise errors.OOMError("OOMKilled", "the pod ran out of memory")
    if kind == "room":
        raise RoomError("not memory at all")
    if kind == "custom":
        raise errors.RuntimeUserError("MyCode", "with a code of mine")
    if kind == "system":
        raise errors.RuntimeSystemError("SysCode", "the platform broke")
    if kind == "non-recoverable":
        raise errors.NonRecoverableError("stop now")
    return 0


@task
def returns_wrong_type() -> int:
    return "three"  # type: ignore[return-value]


@eager
async def caught(kind: str) -> str:
    try:
        await raises.aio(kind)
    except errors.BaseRuntimeError as error:
        return f"{type(error).__name__} kind={error.kind} code={error.code} message={error}"
    return "no error"


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("value", "RuntimeUserError kind=user code=ValueError message=bad 1"),
        ("key", "RuntimeUserError kind=user code=KeyError message=8"),
        ("oom", "OOMError kind=user code=OOMKilled message=the pod ran out of memory"),
        ("room", "OOMError kind=user code=RoomError message=not memory at all"),
        ("custom", "RuntimeUserError kind=user code=MyCode message=with a code of mine"),
        ("system", "RuntimeSystemError kind=system code=SysCode message=the platform broke"),
        ("non-recoverable", "NonRecoverableError kind=user code=NonRecoverableError message=stop now"),
    ],
)
def test_a_failed_call_in_a_local_eager_task_raises_a_typed_error(kind, expected):
    assert asyncio.run(caught(kind=kind)) == expected


@eager
async def keeps_the_cause() -> typing.List[str]:
    try:
        raises(kind="value")
    except errors.RuntimeUserError as error:
        cause = error.__cause__
        return [type(cause).__name__, str(cause)]
    return []


def test_locally_the_childs_own_exception_is_the_cause():
    cause_type, cause_message = asyncio.run(keeps_the_cause())
    assert cause_type == "ValueError"
    assert "bad 1" in cause_message


@eager
async def catches_eager_exception() -> str:
    try:
        raises(kind="value")
    except EagerException:
        return "caught as flytekit's EagerException"
    return "not caught"


def test_flytekit_code_catching_eager_exception_still_works():
    assert asyncio.run(catches_eager_exception()) == "caught as flytekit's EagerException"


@eager
async def bad_outputs() -> str:
    try:
        returns_wrong_type()
    except errors.RuntimeSystemError as error:
        return f"{error.code}: {'int' in str(error)}"
    return "no error"


def test_a_child_whose_outputs_do_not_convert_raises_a_system_error_as_on_a_backend():
    assert asyncio.run(bad_outputs()) == "SYSTEM: True"


@eager
async def mapped(kinds: typing.List[str]) -> typing.List[str]:
    results = []
    async for result in flytekit_ext.map.aio(raises, kinds):
        results.append(f"{type(result).__name__}:{getattr(result, 'code', result)}")
    return results


def test_map_in_an_eager_task_yields_typed_errors():
    assert asyncio.run(mapped(kinds=["none", "value", "oom"])) == [
        "int:0",
        "RuntimeUserError:ValueError",
        "OOMError:OOMKilled",
    ]


@eager
async def sums(kinds: typing.List[str]) -> int:
    return sum([r async for r in flytekit_ext.map.aio(raises, kinds)])


def test_arithmetic_on_a_yielded_error_raises_it():
    with pytest.raises(errors.RuntimeUserError, match="bad 1"):
        asyncio.run(sums(kinds=["none", "value"]))


def test_at_top_level_a_failure_is_raised_as_it_is():
    # Only eager tasks turn failures into typed errors; elsewhere a call is a plain Python call.
    with pytest.raises(ValueError, match="bad 1"):
        raises(kind="value")


@task
def calls_in_process(kind: str) -> int:
    return raises(kind=kind)


def test_inside_a_plain_task_a_failure_is_raised_as_it_is():
    with pytest.raises(ValueError, match="bad 1"):
        calls_in_process(kind="value")


@task
def catches_in_process(kind: str) -> str:
    try:
        raises(kind=kind)
    except errors.BaseRuntimeError as error:
        return f"{type(error).__name__} {error.code}: {error}"
    return "no error"


def test_in_a_typed_errors_block_every_failed_call_raises_a_typed_error_with_the_childs_own_message():
    with flytekit_ext.typed_errors():
        with pytest.raises(errors.RuntimeUserError) as raised:
            raises(kind="value")
        # In task bodies the block's calls run too, sync or awaited, and in map items.
        assert catches_in_process(kind="key") == "RuntimeUserError KeyError: 8"
        assert asyncio.run(catches_in_process.aio(kind="room")) == "OOMError RoomError: not memory at all"
        mapped = list(flytekit_ext.map(raises, ["none", "value"]))
    assert raised.value.code == "ValueError" and str(raised.value) == "bad 1"
    assert isinstance(raised.value.__cause__, ValueError)
    assert mapped[0] == 0 and isinstance(mapped[1], errors.RuntimeUserError)
    # After the block, calls raise the task's own exception again.
    with pytest.raises(ValueError):
        catches_in_process(kind="value")


def test_typed_errors_pickle_with_their_code_and_kind():
    error = errors.OOMError("OOMKilled", "out of memory", worker="pod-1")
    copy = pickle.loads(pickle.dumps(error))
    assert (type(copy), copy.code, copy.kind, copy.worker, str(copy)) == (
        errors.OOMError,
        "OOMKilled",
        "user",
        "pod-1",
        "out of memory",
    )
    timeout = pickle.loads(pickle.dumps(errors.MaxRuntimeExceededError("too slow")))
    assert (timeout.code, str(timeout)) == ("MaxRuntimeExceededError", "too slow")


def test_constructors_and_codes_are_flyte_2s():
    assert errors.NonRecoverableError("m").code == "NonRecoverableError"
    assert errors.NonRecoverableError("m", code="Mine").code == "Mine"
    assert errors.TaskTimeoutError("m").code == "TaskTimeoutError"
    assert errors.RemoteTaskNotFoundError("m").code == "RemoteTaskNotFoundError"
    assert errors.InlineIOMaxBytesBreached("m").code == "InlineIOMaxBytesBreached"
    assert errors.ActionAbortedError("m").code == "ActionAbortedError"
    assert errors.ConditionTimedoutError("m").code == "ConditionTimedoutError"
    validation = errors.RuntimeDataValidationError("o0", "bad value", task_name="t")
    assert (validation.code, str(validation)) == (
        "DataValidationError",
        "In task t variable o0, failed to serialize/deserialize because of bad value",
    )
    custom = errors.CustomError.from_exception(KeyError("k"))
    assert (custom.code, type(custom.__cause__)) == ("KeyError", KeyError)
    assert isinstance(errors.OOMError("c", "m"), errors.RuntimeUserError)
    assert isinstance(errors.RuntimeUserError("c", "m"), RuntimeError)


# --- from a child execution's error (what the eager controller raises on a backend) ---------------------------


def _user_error(code: str, message: str) -> ExecutionError:
    return ExecutionError(code=code, message=message, error_uri="", kind=ExecutionError.ErrorKind.USER)


DOCUMENT = (
    "[1/1] currentAttempt done. Last Error: USER::Trace:\n\n    Traceback (most recent call last):\n"
    '      File "flows.py", line 3, in fail\n    ValueError: bad 1\n\nMessage:\n\n'
    "    RecoverableUserError: ValueError: bad 1"
)


def test_the_message_is_taken_from_the_error_document():
    assert message_of(DOCUMENT) == "bad 1"
    assert message_of("Trace:\n\n  ...\nMessage:\n\n    NonRecoverableError: line one\n    line two") == (
        "line one\nline two"
    )
    assert message_of("no document here") == "no document here"


def test_a_child_executions_error_becomes_the_same_class_as_locally():
    error = from_execution(_user_error("RetriesExhausted|ValueError", DOCUMENT))
    assert (type(error), error.code, str(error)) == (errors.RuntimeUserError, "ValueError", "bad 1")
    assert type(from_execution(_user_error("OOMKilled", "x"))) is errors.OOMError
    assert type(from_execution(_user_error("NonRecoverableError", "x"))) is errors.NonRecoverableError
    system = from_execution(ExecutionError("SYSTEM", "x", "", ExecutionError.ErrorKind.SYSTEM))
    assert (type(system), system.kind) == (errors.RuntimeSystemError, "system")


def test_the_public_error_of_execution_is_the_error_a_failed_child_raises():
    # What a program that launched an execution itself (FlyteRemote) raises for it, as an eager parent would.
    error = flytekit_ext.error_of_execution(
        _user_error("RetriesExhausted|KeyError", DOCUMENT.replace("ValueError", "KeyError"))
    )
    assert (type(error), error.code, str(error)) == (errors.RuntimeUserError, "KeyError", "bad 1")
    assert type(flytekit_ext.error_of_execution(None)) is errors.RuntimeUnknownError
