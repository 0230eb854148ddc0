"""The :mod:`flytekit_ext.errors` error a failed call raises in an eager task.

One function, :func:`typed_error`, picks the class from a code, a kind and a message, whether they come from
the exception a child raised here (:func:`from_exception`) or from a child execution's error on a backend
(:func:`from_execution`), so the same failure raises the same class in both places. The class follows Flyte 2's
rules: a code containing ``OOM`` is an :class:`~flytekit_ext.errors.OOMError`, and so on.
"""

from __future__ import annotations

import re
import textwrap
from contextlib import contextmanager
from typing import Callable, Iterator, List, Literal, Optional, Tuple

from flytekit.models.core.execution import ExecutionError

from flytekit_ext import errors
from flytekit_ext._core import enclosing
from flytekit_ext._runtime.failures import RecoverableUserError, as_child_failure, error_code

#: Where a local call failed: converting its inputs, in its body, or converting its outputs.
Stage = Literal["inputs", "body", "outputs"]

_TIMEOUTS = {
    "MaxQueuedTimeExceededError": errors.MaxQueuedTimeExceededError,
    "MaxRuntimeExceededError": errors.MaxRuntimeExceededError,
    "DeadlineExceededError": errors.DeadlineExceededError,
}

# User errors by code, first match wins (Flyte 2's order).
_USER_CLASSES: List[Tuple[Callable[[str], bool], Callable[[str, str], errors.BaseRuntimeError]]] = [
    (lambda code: code == "TaskTimeoutError", lambda code, message: errors.TaskTimeoutError(message)),
    (lambda code: code in _TIMEOUTS, lambda code, message: _TIMEOUTS[code](message)),
    (lambda code: code == "NonRecoverableError", lambda code, message: errors.NonRecoverableError(message)),
    (lambda code: code == "ActionAbortedError", lambda code, message: errors.ActionAbortedError(message)),
    (lambda code: "OOM" in code.upper(), errors.OOMError),
    (lambda code: "Interrupted" in code, errors.TaskInterruptedError),
    (lambda code: "PrimaryContainerNotFound" in code, errors.PrimaryContainerNotFoundError),
    (lambda code: "Unknown" in code, errors.RuntimeUnknownError),
    (lambda code: "InvalidImageName" in code, errors.InvalidImageNameError),
    (lambda code: "ImagePull" in code, errors.ImagePullBackOffError),
]


def _cleaned(code: str) -> str:
    # A cluster prefixes the code of a failure it gave up retrying: "RetriesExhausted|ValueError".
    return code.rsplit("|", 1)[-1]


def typed_error(code: str, kind: errors.ErrorKind, message: str) -> errors.BaseRuntimeError:
    """The error for a failed child call with this code, kind and message, marked as a child's failure."""
    code = _cleaned(code)
    error: errors.BaseRuntimeError
    if kind == "system":
        error = errors.RuntimeSystemError(code, message)
    elif kind == "unknown":
        error = errors.RuntimeUnknownError(code, message)
    else:
        make = next((make for matches, make in _USER_CLASSES if matches(code)), errors.RuntimeUserError)
        error = make(code, message)
    return as_child_failure(error)


def from_exception(error: BaseException, stage: Stage) -> errors.BaseRuntimeError:
    """The error a call raises for ``error``, raised where the child ran in this process.

    What a pod would report is what a backend parent sees: the body's failure as a user error with its own
    code (a typed error keeps its kind), a failed conversion as a system error with the code ``SYSTEM``.
    """
    if stage != "body":
        return typed_error("SYSTEM", "system", str(error))
    if isinstance(error, errors.BaseRuntimeError):
        return typed_error(error.code, error.kind, str(error))
    return typed_error(error_code(error), "user", str(error))


_KINDS = {ExecutionError.ErrorKind.USER: "user", ExecutionError.ErrorKind.SYSTEM: "system"}
_SUMMARY = "\nMessage:\n\n"
_CLASS_PREFIX = re.compile(r"^[A-Za-z_][\w.]*: ")


def message_of(text: str) -> str:
    """The failure's own message, from an error document's message.

    ``pyflyte-execute`` writes ``Trace: <traceback> Message: <Class>: <message>`` (which a cluster may prefix
    with what it made of the attempts); a message in any other form is returned as it is.
    """
    _, found, summary = text.rpartition(_SUMMARY)
    if not found:
        return text
    summary = textwrap.dedent(summary).strip("\n")
    summary = summary.removeprefix(f"{RecoverableUserError.__name__}: ")
    return _CLASS_PREFIX.sub("", summary, count=1)


def from_execution(error: Optional[ExecutionError]) -> errors.BaseRuntimeError:
    """The error a call raises for a child execution that failed with ``error``.

    Public as ``flytekit_ext.error_of_execution``: the typed error for any failed execution's error (its
    ``closure.error``), the one an eager parent raises when that execution was its child.
    """
    if error is None:
        return typed_error("Unknown", "unknown", "the execution failed without an error")
    kind: errors.ErrorKind = _KINDS.get(error.kind, "unknown")  # type: ignore[assignment]
    return typed_error(error.code or "Unknown", kind, message_of(error.message or ""))


@contextmanager
def typed_errors() -> Iterator[None]:
    """Inside the block, a failed task call raises a typed error of :mod:`flytekit_ext.errors`, as in an eager task.

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
