"""``Environment`` and ``TaskEnvironment``, as in Flyte 2: settings shared by tasks, and ``@env.task``.

flytekit 1.x has no environment object: each task carries its own image, resources, secrets, environment
variables, pod template and cache. ``@env.task`` gives every task the environment's settings, with the
decorator's own on top (the class it becomes: :mod:`._task`; what the settings become: :mod:`._settings`).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

from flytekit_ext.flyte._cache import Cache, CacheRequest
from flytekit_ext.flyte._ignored import ignored
from flytekit_ext.flyte._image import Image
from flytekit_ext.flyte._pod import PodTemplate
from flytekit_ext.flyte._resources import Resources
from flytekit_ext.flyte._retry import RetryStrategy
from flytekit_ext.flyte._reusable_environment import ReusePolicy
from flytekit_ext.flyte._secret import SecretRequest
from flytekit_ext.flyte._settings import TaskSettings, task_arguments, warn_ignored
from flytekit_ext.flyte._task import TaskTemplate, make_task
from flytekit_ext.flyte._timeout import TimeoutType
from flytekit_ext.flyte._unavailable import unavailable
from flytekit_ext.flyte.extras import Sleep

_NAME = re.compile(r"^[a-z0-9]+([_-][a-z0-9]+)*$")
_loaded: List[Environment] = []


def list_loaded_environments() -> List[Environment]:
    """The environments made so far, in the order they were made."""
    return _loaded


@dataclass
class Environment:
    """What every environment has: a name, and the settings its tasks share."""

    name: str
    depends_on: List[Environment] = field(default_factory=list)
    pod_template: Optional[Union[str, PodTemplate]] = None
    description: Optional[str] = None
    secrets: Optional[SecretRequest] = None
    env_vars: Optional[Dict[str, str]] = None
    resources: Optional[Resources] = None
    interruptible: bool = False
    image: Union[str, Image, None] = "auto"
    include: Tuple[str, ...] = ()
    service_account: Optional[str] = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME.match(self.name):
            raise ValueError(f"Environment name {self.name!r} must be in snake_case or kebab-case")
        if self.image is not None and not isinstance(self.image, (str, Image)):
            raise TypeError(f"Environment {self.name!r}: image must be a str or an Image, got {type(self.image)}")
        if self.resources is not None and not isinstance(self.resources, Resources):
            raise TypeError(f"Environment {self.name!r}: resources must be Resources, got {type(self.resources)}")
        if self.env_vars is not None and not isinstance(self.env_vars, dict):
            raise TypeError(f"Environment {self.name!r}: env_vars must be a dict, got {type(self.env_vars)}")
        if self.pod_template is not None and not isinstance(self.pod_template, (str, PodTemplate)):
            raise TypeError(f"Environment {self.name!r}: pod_template must be a str or a PodTemplate")
        for dependency in self.depends_on:
            if not isinstance(dependency, Environment):
                raise TypeError(f"Environment {self.name!r}: depends_on holds {dependency!r}, not an environment")
        self.include = tuple(self.include)
        if self.include:
            ignored("Environment(include=...)", "pyflyte register --copy all bundles every file of the project")
        warn_ignored(service_account=self.service_account)
        _loaded.append(self)

    def add_dependency(self, *environments: Environment) -> None:
        for environment in environments:
            if not isinstance(environment, Environment):
                raise TypeError(f"add_dependency: expected an Environment, got {type(environment)}")
            if environment.name == self.name:
                raise ValueError("add_dependency: an environment cannot depend on itself")
            if environment not in self.depends_on:
                self.depends_on.append(environment)


@dataclass
class TaskEnvironment(Environment):
    """Settings shared by a set of tasks, and the decorator that makes them: ``@env.task``."""

    cache: CacheRequest = "disable"
    reusable: Optional[ReusePolicy] = None
    plugin_config: Optional[Any] = None
    queue: Optional[str] = None
    _tasks: Dict[str, TaskTemplate] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.reusable is not None and not isinstance(self.reusable, ReusePolicy):
            raise TypeError(f"TaskEnvironment {self.name!r}: reusable must be a ReusePolicy, got {self.reusable!r}")
        if self.cache and not isinstance(self.cache, (str, Cache)):
            raise TypeError(f"TaskEnvironment {self.name!r}: cache must be a str or a Cache, got {self.cache!r}")
        if isinstance(self.plugin_config, Sleep):
            ignored(
                "TaskEnvironment(plugin_config=Sleep())", "the tasks run their own body, as Flyte 2 runs them locally"
            )
        elif self.plugin_config is not None:
            unavailable(
                "TaskEnvironment(plugin_config=...)",
                "Flyte 2's task plugins do not run on Flyte 1; use a flytekit plugin's task_config with "
                "flytekit_ext.task(task_config=...) for that task instead.",
            )
        warn_ignored(reusable=self.reusable, queue=self.queue)

    def clone_with(
        self,
        name: str,
        image: Union[str, Image, None] = None,
        resources: Optional[Resources] = None,
        env_vars: Optional[Dict[str, str]] = None,
        secrets: Optional[SecretRequest] = None,
        depends_on: Optional[List[Environment]] = None,
        description: Optional[str] = None,
        interruptible: Optional[bool] = None,
        include: Optional[Tuple[str, ...]] = None,
        service_account: Optional[str] = None,
        **kwargs: Any,
    ) -> TaskEnvironment:
        """A new environment named ``name``, with this one's settings and the ones given."""
        unknown = set(kwargs) - {"cache", "reusable", "pod_template", "queue", "plugin_config"}
        if unknown:
            raise TypeError(f"clone_with() got unexpected keyword arguments {sorted(unknown)}")
        given = dict(
            image=image,
            resources=resources,
            env_vars=env_vars,
            secrets=secrets,
            depends_on=list(depends_on) if depends_on is not None else None,
            description=description,
            interruptible=interruptible,
            include=tuple(include) if include is not None else None,
            service_account=service_account,
            **kwargs,
        )
        changes = {key: value for key, value in given.items() if value is not None or key == "reusable"}
        if "reusable" not in kwargs:
            changes.pop("reusable", None)
        changes.setdefault("depends_on", list(self.depends_on))
        return dataclasses.replace(self, name=name, **changes)

    def task(
        self,
        _func: Optional[Callable[..., Any]] = None,
        /,
        *,
        short_name: Optional[str] = None,
        cache: Optional[CacheRequest] = None,
        retries: Union[int, RetryStrategy] = 0,
        timeout: TimeoutType = 0,
        docs: Any = None,
        pod_template: Optional[Union[str, PodTemplate]] = None,
        report: bool = False,
        interruptible: Optional[bool] = None,
        max_inline_io_bytes: Optional[int] = None,
        queue: Optional[str] = None,
        service_account: Optional[str] = None,
        triggers: Any = (),
        links: Any = (),
        task_resolver: Any = None,
        entrypoint: bool = False,
        produces_artifacts: bool = False,
    ) -> Any:
        """Make a task of a function, with this environment's settings and the ones given here."""
        if triggers:
            unavailable("@env.task(triggers=...)", "schedule a launch plan with flytekit's LaunchPlan(schedule=...).")
        warn_ignored(
            max_inline_io_bytes=max_inline_io_bytes,
            queue=queue,
            service_account=service_account,
            links=links,
            entrypoint=entrypoint,
            produces_artifacts=produces_artifacts,
        )
        settings = TaskSettings(
            image=self.image,
            resources=self.resources,
            env_vars=self.env_vars,
            secrets=self.secrets,
            pod_template=pod_template or self.pod_template,
            interruptible=interruptible if interruptible is not None else self.interruptible,
            cache=cache or self.cache,
            retries=retries,
            timeout=timeout,
            report=report,
            description=getattr(docs, "description", None) or self.description,
        )

        def decorate(function: Callable[..., Any]) -> TaskTemplate:
            made = make_task(
                function,
                task_arguments(settings, function),
                short_name=short_name,
                environment_name=self.name,
                image=self.image,
                task_resolver=task_resolver,
            )
            self._tasks[made.name] = made
            return made

        return decorate(_func) if _func is not None else decorate

    @property
    def tasks(self) -> Dict[str, TaskTemplate]:
        """The tasks made with this environment, by name."""
        return self._tasks

    @property
    def sandbox(self) -> Any:
        unavailable("TaskEnvironment.sandbox", "run the code as a task of its own.")

    @classmethod
    def from_task(
        cls, name: str, *tasks: TaskTemplate, depends_on: Optional[List[Environment]] = None
    ) -> TaskEnvironment:
        """An environment holding tasks made elsewhere (with the same image, or none)."""
        images = {getattr(task, "_flyte2_image", "auto") for task in tasks}
        if len(images) > 1:
            raise ValueError("TaskEnvironment.from_task: the tasks must have the same image")
        environment = cls(name, image=images.pop() if images else "auto", depends_on=list(depends_on or []))
        for task in tasks:
            environment._tasks[task.name] = task
            task.parent_env_name = name
        return environment
