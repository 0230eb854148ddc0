"""``Cache``, ``CachePolicy`` and the cache request forms, as in Flyte 2 (``flyte._cache``), and their Flyte 1 form.

A task's cache is ``"auto"`` (on, versioned by the task function's source), ``"override"`` (on, with the
version given as ``version_override``), ``"disable"``, or a ``Cache``. On Flyte 1 an enabled cache is
flytekit's ``cache=True`` with that version, ``cache_serialize`` and ``cache_ignore_input_vars``; the same
metadata makes a local run use flytekit's local cache. ``max_age`` has no counterpart there (the cluster's
cache settings decide how long a result is kept) and is ignored with a warning.
"""

from __future__ import annotations

import hashlib
import inspect
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Callable, Generic, List, Literal, Optional, Protocol, Tuple, TypeVar, Union, runtime_checkable

from flytekit_ext.flyte._ignored import ignored

CacheBehavior = Literal["auto", "override", "disable"]
_BEHAVIORS = ("auto", "override", "disable")
_SPELLINGS = {"enable": "auto", "enabled": "auto", "on": "auto", "true": "auto", "yes": "auto"}
_SPELLINGS.update({"off": "disable", "false": "disable", "no": "disable", "none": "disable"})

FuncOut = TypeVar("FuncOut")


@dataclass
class VersionParameters(Generic[FuncOut]):
    """What a cache policy may compute a version from: the task function and its image."""

    func: Optional[Callable[..., FuncOut]]
    image: Any = None
    code_bundle: Any = None


@runtime_checkable
class CachePolicy(Protocol):
    """Computes a cache version: ``get_version(salt, params) -> str``."""

    def get_version(self, salt: str, params: VersionParameters) -> str: ...


class FunctionBodyPolicy:
    """The default policy: a hash of the function's source, so editing the body starts a new cache."""

    def get_version(self, salt: str, params: VersionParameters) -> str:
        function = params.func
        if function is None:
            return salt
        try:
            source = inspect.getsource(inspect.unwrap(function))
        except (OSError, TypeError):  # no source to read (an interactive session): its compiled code instead
            source = repr(getattr(function, "__code__", function))
        return hashlib.sha256(f"{salt}{source}".encode()).hexdigest()


def get_default_policies() -> List[CachePolicy]:
    return [FunctionBodyPolicy()]


@dataclass
class Cache:
    """A task's cache: its behavior, version, serialization, ignored inputs, salt and policies."""

    behavior: CacheBehavior
    version_override: Optional[str] = None
    serialize: bool = False
    ignored_inputs: Union[Tuple[str, ...], str] = field(default_factory=tuple)
    salt: str = ""
    policies: Optional[Union[List[CachePolicy], CachePolicy]] = None
    max_age: Union[timedelta, int, None] = None

    def __post_init__(self) -> None:
        behavior = _SPELLINGS.get(str(self.behavior).lower(), self.behavior)
        if behavior not in _BEHAVIORS:
            raise ValueError(f"Cache: behavior must be one of {list(_BEHAVIORS)}, got {self.behavior!r}")
        self.behavior = behavior  # type: ignore[assignment]
        if isinstance(self.max_age, bool) or not isinstance(self.max_age, (int, timedelta, type(None))):
            raise TypeError(f"Cache: max_age must be seconds (int), a timedelta or None, got {self.max_age!r}")
        if isinstance(self.max_age, int):
            self.max_age = timedelta(seconds=self.max_age)
        if self.max_age is not None and self.max_age < timedelta(0):
            raise ValueError("Cache: max_age must not be negative")
        if self.behavior != "disable":
            if self.policies is None:
                self.policies = get_default_policies()
            elif not isinstance(self.policies, list):
                self.policies = [self.policies]
            if self.version_override is None and not self.policies:
                raise ValueError("Cache: without a version_override at least one policy is needed")

    def is_enabled(self) -> bool:
        return self.behavior != "disable"

    def get_ignored_inputs(self) -> Tuple[str, ...]:
        return (self.ignored_inputs,) if isinstance(self.ignored_inputs, str) else tuple(self.ignored_inputs)

    def get_version(self, params: Optional[VersionParameters] = None) -> str:
        """The version of the cache: ``version_override``, else a hash of what the policies compute."""
        if not self.is_enabled():
            return ""
        if self.version_override is not None:
            return self.version_override
        if params is None:
            raise ValueError("Cache.get_version: version parameters are needed when no version_override is set")
        policies = self.policies if isinstance(self.policies, list) else [self.policies] if self.policies else []
        combined = "".join(policy.get_version(self.salt, params) for policy in policies)
        return hashlib.sha256(combined.encode()).hexdigest()


CacheRequest = Union[CacheBehavior, Cache]


def cache_from_request(cache: CacheRequest) -> Cache:
    if isinstance(cache, Cache):
        return cache
    return Cache(behavior=cache)


def cache_metadata(cache: Optional[CacheRequest], function: Callable[..., Any], image: Any) -> dict:
    """flytekit's task-metadata keyword arguments for a task's cache."""
    resolved = cache_from_request(cache or "disable")
    if not resolved.is_enabled():
        return {"cache": False}
    if resolved.max_age is not None:
        ignored("Cache(max_age=...)", "the cluster's cache settings decide how long a cached result is kept")
    return {
        "cache": True,
        "cache_version": resolved.get_version(VersionParameters(func=function, image=image)),
        "cache_serialize": resolved.serialize,
        "cache_ignore_input_vars": resolved.get_ignored_inputs(),
    }


__all__ = [
    "Cache",
    "CacheBehavior",
    "CachePolicy",
    "CacheRequest",
    "FunctionBodyPolicy",
    "VersionParameters",
    "cache_from_request",
    "get_default_policies",
]
