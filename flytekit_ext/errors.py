"""Typed errors, named as in Flyte 2's ``flyte.errors``: what a failed call in an eager task raises.

A call made in an ``@eager`` task that fails raises one of these, locally and on a Flyte backend alike, so
the same ``except`` works in both places::

    try:
        await fetch(url=url)
    except flytekit_ext.errors.OOMError:
        await fetch.override(requests=Resources(mem="4Gi"))(url=url)
    except flytekit_ext.errors.RuntimeUserError as error:
        if error.code != "ValueError":
            raise

``.code`` is the failed child's error code (for an exception raised in its body, the exception's class
name), ``str(error)`` its message. Run locally, the child's own exception is the error's ``__cause__``.

Raising :class:`NonRecoverableError` in a task opts out of its retries, locally and on a cluster.

Every class takes the same constructor arguments and has the same ``.code`` as its Flyte 2 namesake. Each is
also flytekit's ``EagerException``, which flytekit's eager tasks raise for a failed child.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Dict, Iterator, Literal, NoReturn, Type

from flytekit.exceptions.eager import EagerException

from flytekit_ext._core import enclosing

ErrorKind = Literal["system", "unknown", "user"]

__all__ = [
    "ActionAbortedError",
    "BaseRuntimeError",
    "ConditionTimedoutError",
    "CustomError",
    "DeadlineExceededError",
    "ErrorKind",
    "ImagePullBackOffError",
    "InlineIOMaxBytesBreached",
    "InvalidImageNameError",
    "MaxQueuedTimeExceededError",
    "MaxRuntimeExceededError",
    "NonRecoverableError",
    "OOMError",
    "PrimaryContainerNotFoundError",
    "RemoteTaskNotFoundError",
    "RemoteTaskUsageError",
    "RetriesExhaustedError",
    "RuntimeDataValidationError",
    "RuntimeSystemError",
    "RuntimeUnknownError",
    "RuntimeUserError",
    "TaskInterruptedError",
    "TaskTimeoutError",
    "typed_errors",
]


def _rebuilt(cls: Type[BaseRuntimeError], args: tuple[Any, ...], state: Dict[str, Any]) -> BaseRuntimeError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class BaseRuntimeError(RuntimeError, EagerException):
    """A failure with a ``code``, a ``kind`` (``"user"``, ``"system"`` or ``"unknown"``) and a message."""

    def __init__(self, code: str, kind: ErrorKind, root_cause_message: str, worker: str | None = None) -> None:
        super().__init__(root_cause_message)
        self.code = code
        self.kind = kind
        self.worker = worker

    @property
    def error_code(self) -> str:
        """The code as flytekit reads it, so ``pyflyte-execute`` writes it to the error document."""
        return self.code

    def __reduce__(self) -> Any:
        # The constructors differ from Exception's (args alone would not rebuild the error).
        return _rebuilt, (type(self), self.args, dict(self.__dict__))

    # As in Flyte 2, arithmetic on an error raises it: ``sum(results)`` over map results re-raises a failure.
    def _raise(self, *_: Any) -> NoReturn:
        raise self

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _raise
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = _raise


class RuntimeSystemError(BaseRuntimeError):
    """The platform failed the call (kind ``"system"``): a download, an upload, a conversion, a lost pod."""

    def __init__(self, code: str, message: str, worker: str | None = None) -> None:
        super().__init__(code, "system", message, worker)


class RuntimeUserError(BaseRuntimeError):
    """The task's own code failed the call (kind ``"user"``)."""

    def __init__(self, code: str, message: str, worker: str | None = None) -> None:
        super().__init__(code, "user", message, worker)


class RuntimeUnknownError(BaseRuntimeError):
    """A failure of unknown origin (kind ``"unknown"``)."""

    def __init__(self, code: str, message: str, worker: str | None = None) -> None:
        super().__init__(code, "unknown", message, worker)


class OOMError(RuntimeUserError):
    """The call ran out of memory (its code contains ``OOM``); retry it with more."""


class TaskInterruptedError(RuntimeUserError):
    """The call's pod was interrupted (preempted)."""


class PrimaryContainerNotFoundError(RuntimeUserError):
    """The call's pod had no primary container."""


class TaskTimeoutError(RuntimeUserError):
    """The call ran out of time."""

    def __init__(self, message: str, code: str = "TaskTimeoutError") -> None:
        super().__init__(code, message, "user")


class MaxQueuedTimeExceededError(TaskTimeoutError):
    def __init__(self, message: str) -> None:
        super().__init__(message, "MaxQueuedTimeExceededError")


class MaxRuntimeExceededError(TaskTimeoutError):
    def __init__(self, message: str) -> None:
        super().__init__(message, "MaxRuntimeExceededError")


class DeadlineExceededError(TaskTimeoutError):
    def __init__(self, message: str) -> None:
        super().__init__(message, "DeadlineExceededError")


class ConditionTimedoutError(RuntimeUserError):
    def __init__(self, message: str) -> None:
        super().__init__("ConditionTimedoutError", message)


class RetriesExhaustedError(RuntimeUserError):
    """Exists for programs that catch it; flytekit_ext raises the last attempt's error instead."""


class InvalidImageNameError(RuntimeUserError):
    """The call's container image name is invalid."""


class ImagePullBackOffError(RuntimeUserError):
    """The call's container image could not be pulled."""


class CustomError(RuntimeUserError):
    """A user error with a code of the program's choosing."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message, "user")

    @classmethod
    def from_exception(cls, error: Exception) -> CustomError:
        """The error for ``error``: its class name as the code, its message, and ``error`` as the cause."""
        custom = cls(type(error).__name__, str(error))
        custom.__cause__ = error
        return custom


class RemoteTaskNotFoundError(RuntimeUserError):
    def __init__(self, message: str) -> None:
        super().__init__("RemoteTaskNotFoundError", message)


class RemoteTaskUsageError(RuntimeUserError):
    def __init__(self, message: str) -> None:
        super().__init__("RemoteTaskUsageError", message)


class RuntimeDataValidationError(RuntimeUserError):
    """A value could not be converted for a task's input or output ``var``."""

    def __init__(self, var: str, e: Exception | str, task_name: str = "") -> None:
        super().__init__(
            "DataValidationError",
            f"In task {task_name} variable {var}, failed to serialize/deserialize because of {e}",
        )


class InlineIOMaxBytesBreached(RuntimeUserError):
    def __init__(self, message: str) -> None:
        super().__init__("InlineIOMaxBytesBreached", message)


class ActionAbortedError(RuntimeUserError):
    """The call's execution was aborted (terminated) before it finished."""

    def __init__(self, message: str) -> None:
        super().__init__("ActionAbortedError", message)


class NonRecoverableError(RuntimeUserError):
    """Raise it in a task to fail without using up its retries: no further attempt could succeed."""

    def __init__(self, message: str, code: str = "NonRecoverableError") -> None:
        super().__init__(code, message)


@contextmanager
def typed_errors() -> Iterator[None]:
    """Inside the block, a task call that fails raises one of these typed errors, as a call in an eager task does.

    Outside eager tasks a failed call raises the task's own exception (as flytekit does); in the block, and in
    every task body the block's calls run (locally, in this process), it raises a typed error whose ``code`` is
    the exception's class name, whose message is the exception's own, and whose ``__cause__`` is the exception::

        with flytekit_ext.typed_errors():
            try:
                parse(text="x")
            except flytekit_ext.errors.RuntimeUserError as error:
                assert error.code == "ValueError"

    This is Flyte 2's rule for every call made in a run; ``flytekit_ext.flyte.run`` runs its task in such a block.
    """
    with enclosing.within(enclosing.changed(typed_errors=True)):
        yield
