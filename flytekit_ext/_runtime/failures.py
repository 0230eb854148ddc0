"""What a failure of a task's body is: its code, and whether another attempt may be made.

flytekit_ext follows Flyte 2: an exception raised by a task's body is retried, up to the task's ``retries``,
unless it says no attempt could succeed. The same rule decides locally (:class:`FailurePolicy`) and in a pod,
where the error document's kind tells the cluster (``RECOVERABLE`` is retried, ``NON_RECOVERABLE`` is not).
flytekit 1.x retries only ``FlyteRecoverableException``; a plain ``ValueError`` there fails for good.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator, NamedTuple, Optional

from flytekit.core.base_task import IgnoreOutputs
from flytekit.exceptions.eager import EagerException
from flytekit.exceptions.system import FlyteNonRecoverableSystemException
from flytekit.exceptions.user import FlyteRecoverableException

from flytekit_ext._core import enclosing
from flytekit_ext._core.backoff import Backoff
from flytekit_ext._core.naming import display_name
from flytekit_ext.errors import BaseRuntimeError, NonRecoverableError

#: How long a local run waits before retry n (n = 1, 2, ...): 0.5 s, then doubling, at most 2 s.
LOCAL_RETRY_BACKOFF = Backoff(first_s=0.5, factor=2.0, cap_s=2.0)


def error_code(error: BaseException) -> str:
    """The code a failure carries: a typed error's ``code``, flytekit's ``error_code``, else the class name."""
    if isinstance(error, BaseRuntimeError):
        return error.code
    code = getattr(error, "error_code", None)
    if isinstance(code, (str, int)) and not isinstance(code, bool):
        return str(code)
    return type(error).__name__


_CHILD_FAILURE = "_flytekit_ext_child_failure"


def as_child_failure(error: BaseRuntimeError) -> BaseRuntimeError:
    """``error``, marked as the failure of a call an eager task made (its child's failure, not its own)."""
    error.__dict__[_CHILD_FAILURE] = True
    return error


def is_child_failure(error: BaseException) -> bool:
    """Whether ``error`` is the failure of a call an eager task made, rather than raised by the task itself."""
    if isinstance(error, BaseRuntimeError):
        return bool(error.__dict__.get(_CHILD_FAILURE, False))
    return isinstance(error, EagerException)  # what flytekit's own eager controller raises


def recoverable(error: BaseException) -> bool:
    """Whether a failure of a task's body may succeed on another attempt.

    Not: :class:`~flytekit_ext.errors.NonRecoverableError`, flytekit's ``FlyteNonRecoverableSystemException``,
    ``IgnoreOutputs`` (not a failure), a ``RecursionError`` (the same inputs recurse as deep again, and the
    retries of task calls nested in each other multiply: a task calling itself with retries would never end),
    and a failed child call an eager task let through: on a cluster a retried parent finds the same child
    execution, failed, so a local retry would only disagree with it.
    """
    if isinstance(error, (NonRecoverableError, FlyteNonRecoverableSystemException, IgnoreOutputs, RecursionError)):
        return False
    return not is_child_failure(error)


class RecoverableUserError(FlyteRecoverableException):
    """What a pod reports for a recoverable failure of the body, so ``pyflyte-execute`` writes it as such.

    Its code is the failure's own, and the error document's message ends with the failure's class and
    message (``RecoverableUserError: ValueError: ...``) after the failure's own traceback.
    """

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error_code = error_code(error)
        self._summary = f"{type(error).__name__}: {error}"

    def __str__(self) -> str:
        return self._summary


def reported_in_pod(error: BaseException) -> BaseException:
    """What a pod wraps in flytekit's ``FlyteUserRuntimeException`` for a failure of the body."""
    if isinstance(error, FlyteRecoverableException) or not recoverable(error):
        return error  # flytekit already writes these with the right kind
    return RecoverableUserError(error)


class FailurePolicy(NamedTuple):
    """How a local call treats a failure of the task's body; made by :func:`failure_policy` only.

    ``retries``: further attempts after a recoverable failure, waiting as ``backoff`` says before each;
    ``typed_errors``: the final failure is raised as a :mod:`flytekit_ext.errors` error (for calls made by an eager
    task) instead of as it is; ``task``, ``short_name`` and ``group``: the call, as :attr:`shown_as` names it.
    (A named tuple, whose name for the logs is made only when a log line needs it: every local call makes one.)
    """

    retries: int
    task: Any
    short_name: Optional[str] = None
    group: Optional[str] = None
    typed_errors: bool = False
    backoff: Backoff = LOCAL_RETRY_BACKOFF

    @property
    def shown_as(self) -> str:
        """The call's name in the log lines of its attempts: ``[group] short name``."""
        name = display_name(self.task, self.short_name)
        return f"[{self.group}] {name}" if self.group else name

    @property
    def attempts(self) -> int:
        return self.retries + 1

    def delay(self, retry: int) -> float:
        """Seconds to wait before retry number ``retry`` (1 for the second attempt)."""
        return self.backoff.delay(retry)


def failure_policy(
    task: Any, retries: Optional[int] = None, short_name: Optional[str] = None, typed_errors: bool = False
) -> FailurePolicy:
    """The failure policy of a call of ``task``: ``retries`` (an override) or the task's own, shown by the call's
    name in its group."""
    if retries is None:
        retries = task.metadata.retries
    elif not isinstance(retries, int) or isinstance(retries, bool) or retries < 0:
        raise ValueError(f"Task '{task.name}': retries must be an int >= 0, got {retries!r}")
    return FailurePolicy(retries, task, short_name, enclosing.current().group, typed_errors)


# A plugin class's own ``local_execute`` or ``dispatch_execute`` stands between a local call and flytekit_ext's
# run of the body, and its signature (flytekit's) has no room for the call's policy: the policy waits in the
# enclosing state, keyed by the task, for the run of that task's body to pick it up.


@contextmanager
def through_plugin_hook(task: Any, policy: Optional[FailurePolicy]) -> Iterator[None]:
    """While a plugin's hook runs ``task``'s call: the call's ``policy`` for the run of that task's body."""
    with enclosing.within(enclosing.changed(hooked=None if policy is None else (task, policy))):
        yield


def hooked_policy(task: Any) -> Optional[FailurePolicy]:
    """The policy of ``task``'s call that went through a plugin's hook, if it did."""
    hooked = enclosing.current().hooked
    return hooked[1] if hooked is not None and hooked[0] is task else None
