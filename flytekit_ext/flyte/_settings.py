"""What a Flyte 2 task's settings are on flytekit: the one place that translates them.

A task's settings come from its environment and from ``@env.task(...)`` (the decorator's win); they become the
keyword arguments of the flytekit_ext task class (:func:`task_arguments`). ``task.override(...)`` takes the same
names for one call; they become flytekit node overrides (:func:`node_overrides`). Settings with no Flyte 1
counterpart are accepted and named in a warning (:mod:`._ignored`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional, Union

from flytekit.core.base_task import TaskMetadata
from flytekit.core.cache import Cache as FlytekitCache
from flytekit.models.documentation import Description, Documentation

from flytekit_ext.flyte._cache import CacheRequest, cache_metadata
from flytekit_ext.flyte._ignored import ignored
from flytekit_ext.flyte._image import Image, image_for_flytekit
from flytekit_ext.flyte._pod import PodTemplate
from flytekit_ext.flyte._resources import Resources
from flytekit_ext.flyte._retry import RetryStrategy, retry_count
from flytekit_ext.flyte._secret import SecretRequest, secrets_from_request
from flytekit_ext.flyte._timeout import TimeoutType, run_time_limit

# Settings Flyte 1 has no place for, and what to do instead; warned about once each when given.
_NO_COUNTERPART = {
    "queue": "a Flyte 1 cluster picks nodes by resources, labels and the pod template",
    "max_inline_io_bytes": "Flyte 1 applies its own limits on literal sizes",
    "links": "Flyte 1 shows the log links its plugins configure",
    "entrypoint": "",
    "produces_artifacts": "",
    "service_account": "set the service account when the run is launched (with_runcontext(service_account=...))",
    "reusable": "each task runs in a pod of its own on Flyte 1",
}


@dataclass(frozen=True)
class TaskSettings:
    """A task's settings, in Flyte 2's terms."""

    image: Union[str, Image, None] = "auto"
    resources: Optional[Resources] = None
    env_vars: Optional[Dict[str, str]] = None
    secrets: Optional[SecretRequest] = None
    pod_template: Union[str, PodTemplate, None] = None
    interruptible: Optional[bool] = None
    cache: Optional[CacheRequest] = None
    retries: Union[int, RetryStrategy] = 0
    timeout: Optional[TimeoutType] = None
    report: bool = False
    description: Optional[str] = None


def warn_ignored(**given: Any) -> None:
    """One warning for each setting given (truthy) that Flyte 1 has no counterpart for."""
    for name, value in given.items():
        if value:
            ignored(name, _NO_COUNTERPART.get(name, ""))


def _resource_arguments(resources: Optional[Resources]) -> Dict[str, Any]:
    if resources is None:
        return {}
    arguments = {
        "requests": resources.requests(),
        "limits": resources.limits(),
        "accelerator": resources.accelerator(),
        "shared_memory": resources.shared_memory(),
    }
    return {key: value for key, value in arguments.items() if value is not None}


def task_arguments(settings: TaskSettings, function: Callable[..., Any]) -> Dict[str, Any]:
    """The keyword arguments of a flytekit_ext task class for ``function`` with ``settings``."""
    image = image_for_flytekit(settings.image)
    pod_template = settings.pod_template
    metadata = TaskMetadata(
        retries=retry_count(settings.retries),
        timeout=run_time_limit(settings.timeout),
        interruptible=settings.interruptible,
        **cache_metadata(settings.cache, function, settings.image),
    )
    arguments: Dict[str, Any] = {
        "metadata": metadata,
        # An input without a type annotation is pickled, as in Flyte 2 (flytekit refuses it).
        "pickle_untyped": True,
        "container_image": image,
        "environment": dict(settings.env_vars) if settings.env_vars else None,
        "secret_requests": [secret.to_flytekit() for secret in secrets_from_request(settings.secrets)] or None,
        "pod_template": pod_template if isinstance(pod_template, PodTemplate) else None,
        "pod_template_name": pod_template if isinstance(pod_template, str) else None,
        **_resource_arguments(settings.resources),
    }
    if settings.report:
        # Flyte 2's report is what the task adds to it: its decks only, none of flytekit's own.
        arguments.update(enable_deck=True, deck_fields=())
    if settings.description:
        arguments["docs"] = Documentation(short_description=settings.description, long_description=Description())
    return arguments


def node_overrides(
    task_function: Callable[..., Any],
    image: Union[str, Image, None],
    resources: Optional[Resources] = None,
    cache: Optional[CacheRequest] = None,
    retries: Union[int, RetryStrategy, None] = None,
    timeout: Optional[TimeoutType] = None,
    pod_template: Union[str, PodTemplate, None] = None,
    interruptible: Optional[bool] = None,
    env_vars: Optional[Dict[str, str]] = None,
    secrets: Optional[SecretRequest] = None,
    **no_counterpart: Any,
) -> Dict[str, Any]:
    """flytekit node overrides for Flyte 2's ``task.override(...)`` keywords (``short_name`` is handled apart)."""
    warn_ignored(**no_counterpart)
    if env_vars:
        ignored("override(env_vars=...)", "set env_vars on the task's environment")
    if secrets:
        ignored("override(secrets=...)", "set secrets on the task's environment")
    overrides: Dict[str, Any] = _resource_arguments(resources)
    if retries:
        overrides["retries"] = retry_count(retries)
    if timeout:
        overrides["timeout"] = run_time_limit(timeout)
    if interruptible is not None:
        overrides["interruptible"] = interruptible
    if isinstance(pod_template, PodTemplate):
        overrides["pod_template"] = pod_template
    if cache is not None:
        found = cache_metadata(cache, task_function, image)
        overrides["cache"] = (
            FlytekitCache(
                version=found["cache_version"],
                serialize=found["cache_serialize"],
                ignored_inputs=found["cache_ignore_input_vars"],
            )
            if found["cache"]
            else False
        )
    return overrides
