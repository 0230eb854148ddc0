"""Flyte 2's ``flyte.errors``: flytekit_ext's typed errors (:mod:`flytekit_ext.errors`), and the rest of the names.

The errors a failed call raises (``RuntimeUserError`` with the child's ``code``, ``OOMError``, ...) are
flytekit_ext's own classes, re-exported: ``except flyte.errors.RuntimeUserError`` catches what flytekit_ext
raises, locally and on a cluster. The other names Flyte 2 has are defined here, on the same bases, so programs
that raise or catch them load; none of them is raised by flytekit_ext itself, except where a module here says so.
"""

from __future__ import annotations

from flytekit_ext.errors import (
    ActionAbortedError,
    BaseRuntimeError,
    ConditionTimedoutError,
    CustomError,
    DeadlineExceededError,
    ErrorKind,
    ImagePullBackOffError,
    InlineIOMaxBytesBreached,
    InvalidImageNameError,
    MaxQueuedTimeExceededError,
    MaxRuntimeExceededError,
    NonRecoverableError,
    OOMError,
    PrimaryContainerNotFoundError,
    RemoteTaskNotFoundError,
    RemoteTaskUsageError,
    RetriesExhaustedError,
    RuntimeDataValidationError,
    RuntimeSystemError,
    RuntimeUnknownError,
    RuntimeUserError,
    TaskInterruptedError,
    TaskTimeoutError,
)


class InitializationError(BaseRuntimeError):
    """Flyte was used before it was initialized, or its configuration could not be read."""


class UnionRpcError(RuntimeSystemError):
    """A call to the control plane failed."""


class NotInTaskContextError(RuntimeUserError):
    """Something that needs a running task was used outside one."""


class ActionNotFoundError(RuntimeError):
    """The action (execution) asked for does not exist."""


class LogsNotYetAvailableError(BaseRuntimeError):
    def __init__(self, message: str) -> None:
        super().__init__("LogsNotYetAvailable", "system", message, None)


class _Coded(RuntimeUserError):
    """A user error whose code is fixed by its class (``CODE``) and which takes only a message."""

    CODE = ""

    def __init__(self, message: str) -> None:
        super().__init__(self.CODE or type(self).__name__, message)


class DeploymentError(_Coded):
    """A deployment failed, or what it needs is missing."""


class ImageBuildError(_Coded):
    """An image could not be built."""


class ModuleLoadError(_Coded):
    """A module could not be loaded."""


class SlowDownError(_Coded):
    """The control plane asked the client to slow down."""


class ResourceExhaustedError(SlowDownError):
    pass


class OnlyAsyncIOSupportedError(_Coded):
    """Synchronous I/O was used where only asynchronous I/O works."""


class ParameterMaterializationError(_Coded):
    """An app parameter could not be materialized."""


class RestrictedTypeError(_Coded):
    """A type that is not allowed there was used."""

    CODE = "RestrictedTypeUsage"


class CodeBundleError(_Coded):
    """The code bundle could not be made."""


class SyncTaskCallInAsyncContextError(_Coded):
    """A sync task was called in a blocking way from async code; ``await task.aio(...)`` instead."""


class TraceDoesNotAllowNestedTasksError(_Coded):
    """A task was called inside a traced function."""


class InvalidPackageError(RuntimeUserError):
    def __init__(self, package_name: str, original_error: str) -> None:
        self.package_name = package_name
        self.original_error = original_error
        super().__init__(
            "InvalidPackageError", f"Invalid system package detected: '{package_name}'. Error: {original_error}"
        )


class ConditionAlreadyExistsError(_Coded):
    pass


class ConditionFailedError(_Coded):
    pass


class ConditionNotFoundError(_Coded):
    pass


__all__ = [
    "ActionAbortedError",
    "ActionNotFoundError",
    "BaseRuntimeError",
    "CodeBundleError",
    "ConditionAlreadyExistsError",
    "ConditionFailedError",
    "ConditionNotFoundError",
    "ConditionTimedoutError",
    "CustomError",
    "DeadlineExceededError",
    "DeploymentError",
    "ErrorKind",
    "ImageBuildError",
    "ImagePullBackOffError",
    "InitializationError",
    "InlineIOMaxBytesBreached",
    "InvalidImageNameError",
    "InvalidPackageError",
    "LogsNotYetAvailableError",
    "MaxQueuedTimeExceededError",
    "MaxRuntimeExceededError",
    "ModuleLoadError",
    "NonRecoverableError",
    "NotInTaskContextError",
    "OOMError",
    "OnlyAsyncIOSupportedError",
    "ParameterMaterializationError",
    "PrimaryContainerNotFoundError",
    "RemoteTaskNotFoundError",
    "RemoteTaskUsageError",
    "ResourceExhaustedError",
    "RestrictedTypeError",
    "RetriesExhaustedError",
    "RuntimeDataValidationError",
    "RuntimeSystemError",
    "RuntimeUnknownError",
    "RuntimeUserError",
    "SlowDownError",
    "SyncTaskCallInAsyncContextError",
    "TaskInterruptedError",
    "TaskTimeoutError",
    "TraceDoesNotAllowNestedTasksError",
    "UnionRpcError",
]
