"""``flytekit_ext.flyte``'s environments and tasks: which flytekit_ext task each ``@env.task`` makes, and what
the environment's and the decorator's settings become on flytekit (read from the serialized task spec)."""

from __future__ import annotations

import asyncio
import gc
import warnings
from datetime import timedelta

import pytest
from flytekit.configuration import Image, ImageConfig, SerializationSettings
from flytekit.image_spec.image_spec import ImageSpec
from flytekit.models.task import Resources as TaskResources
from flytekit.tools.translator import get_serializable

import flytekit_ext
import flytekit_ext.flyte as flyte
from flytekit_ext.flyte._ignored import IgnoredSettingWarning
from flytekit_ext.flyte._unavailable import UnavailableOnFlyte1Error
from tests.flyte2 import kinds, settings

SETTINGS = SerializationSettings(
    project="p", domain="d", version="v1", image_config=ImageConfig(default_image=Image("default", "img", "v1"))
)


def spec(task):
    return get_serializable({}, SETTINGS, task)


@pytest.mark.parametrize(
    "name, cls",
    [
        ("double", flytekit_ext.PythonFunctionTask),
        ("sync_parent", flytekit_ext.PythonFunctionTask),
        ("leaf", flytekit_ext.AsyncPythonFunctionTask),
        ("slow_double", flytekit_ext.AsyncPythonFunctionTask),
        ("only_traces", flytekit_ext.AsyncPythonFunctionTask),
        ("later", flytekit_ext.AsyncPythonFunctionTask),
        ("awaits_a_task", flytekit_ext.EagerAsyncPythonFunctionTask),
        ("maps", flytekit_ext.EagerAsyncPythonFunctionTask),
        ("through_a_helper", flytekit_ext.EagerAsyncPythonFunctionTask),
        ("gathers", flytekit_ext.EagerAsyncPythonFunctionTask),
        ("partial_of_a_task", flytekit_ext.EagerAsyncPythonFunctionTask),
    ],
)
def test_each_function_becomes_the_flytekit_ext_task_its_body_needs(name, cls):
    made = getattr(kinds, name)
    assert isinstance(made, cls)
    assert isinstance(made, flyte.TaskTemplate)
    # Only a parent is eager: a leaf pays nothing for calls it does not make.
    assert isinstance(made, flytekit_ext.EagerAsyncPythonFunctionTask) == (
        cls is flytekit_ext.EagerAsyncPythonFunctionTask
    )
    assert spec(made).template.metadata.is_eager == (cls is flytekit_ext.EagerAsyncPythonFunctionTask)


def test_a_task_keeps_its_function_name_module_and_docs():
    assert kinds.double.__name__ == "double" and kinds.double.__module__ == "tests.flyte2.kinds"
    # Flyte 2's name, <environment>.<function>; the pod still finds the code by module and function.
    assert kinds.double.name == "kinds.double"
    assert kinds.double.short_name == "double"
    assert kinds.on_a_clone.short_name == "the-short-one"
    assert kinds.double.parent_env_name == "kinds"
    assert set(kinds.env.tasks) >= {"kinds.double", "kinds.maps"}
    assert spec(kinds.double).template.id.name == "kinds.double"
    assert list(spec(kinds.double).template.container.args)[-4:] == [
        "task-module",
        "tests.flyte2.kinds",
        "task-name",
        "double",
    ]


def test_environment_settings_become_the_tasks_container_resources_env_and_secrets():
    container = spec(settings.configured).template.container
    names = TaskResources.ResourceName
    requests = {r.name: r.value for r in container.resources.requests}
    limits = {r.name: r.value for r in container.resources.limits}
    # Flyte 2's rule: a single value is a request, a pair a request and a limit.
    assert requests == {names.CPU: "1", names.MEMORY: "1Gi", names.GPU: "2", names.EPHEMERAL_STORAGE: "10Gi"}
    assert limits == {names.CPU: "2", names.MEMORY: "2Gi"}
    assert container.env["MODE"] == "test"
    template = spec(settings.configured).template
    accelerator = template.extended_resources.gpu_accelerator
    assert accelerator.device == "nvidia-tesla-a100" and accelerator.partition_size == "1g.5gb"
    assert template.extended_resources.shared_memory.size_limit == "1Gi"
    (secret,) = template.security_context.secrets
    assert (secret.group, secret.key, secret.env_var) == ("openai", "openai", "OPENAI_API_KEY")
    assert template.metadata.interruptible is True


def test_the_decorators_settings_become_task_metadata():
    metadata = spec(kinds.on_a_clone).template.metadata
    assert metadata.retries.retries == 3
    assert metadata.timeout == timedelta(minutes=5)
    assert metadata.discoverable is True and metadata.discovery_version  # cache="auto": versioned by the source
    assert spec(kinds.double).template.metadata.discoverable is False


def test_cache_auto_is_versioned_by_the_function_body_and_override_by_its_version():
    assert settings.cached_auto.metadata.cache_version != settings.cached_auto_other_body.metadata.cache_version
    assert settings.cached_override.metadata.cache_version == "v7"
    assert settings.cached_override.metadata.cache_ignore_input_vars == ("noise",)
    assert settings.cached_override.metadata.cache_serialize is True


def test_an_image_becomes_an_imagespec_with_the_same_packages():
    image = settings.configured.container_image
    assert isinstance(image, ImageSpec)
    assert image.python_version == "3.11" and image.registry == "localhost:30000" and image.name == "facade-test"
    assert "pandas==2.2.3" in image.packages and any(p.startswith("flytekit-ext") for p in image.packages)
    assert image.apt_packages == ["curl"] and image.env == {"A": "1"}
    assert settings.on_a_named_image.container_image == "ghcr.io/example/ready:v1"
    assert kinds.double.container_image is None  # "auto": flytekit's default (pyflyte --image)


def test_clone_with_changes_the_clone_only():
    assert settings.base.name == "base" and settings.clone.name == "clone"
    assert settings.clone.resources == flyte.Resources(cpu=4) and settings.base.resources == flyte.Resources(cpu=1)
    assert settings.clone.env_vars == settings.base.env_vars == {"MODE": "base"}
    with pytest.raises(TypeError, match="unexpected keyword"):
        settings.base.clone_with(name="x", colour="blue")


def test_a_setting_flyte_1_has_no_counterpart_for_warns_once_naming_it():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        flyte.TaskEnvironment(name="reuse_one", reusable=flyte.ReusePolicy(replicas=2))
        flyte.TaskEnvironment(name="reuse_two", reusable=flyte.ReusePolicy(replicas=3))
    named = [str(w.message) for w in caught if issubclass(w.category, IgnoredSettingWarning)]
    assert len(named) <= 1  # once per process: another test may have warned already
    if named:
        assert "reusable" in named[0] and "no counterpart on Flyte 1" in named[0]


def test_an_api_with_no_meaning_on_flyte_1_raises_naming_it_and_what_to_use():
    with pytest.raises(UnavailableOnFlyte1Error, match=r"flyte\.serve is Flyte 2 only.*Kubernetes"):
        flyte.serve(object())
    with pytest.raises(UnavailableOnFlyte1Error, match=r"flyte\.Cron .*LaunchPlan"):
        flyte.Cron("* * * * *")
    with pytest.raises(UnavailableOnFlyte1Error, match=r"triggers"):
        kinds.env.task(triggers=(object(),))
    # Whole modules of such APIs import, and each name raises when it is used.
    from flytekit_ext.flyte.app import AppEnvironment
    from flytekit_ext.flyte.remote import Action, Run

    with pytest.raises(UnavailableOnFlyte1Error, match=r"flyte\.app\.AppEnvironment is Flyte 2 only"):
        AppEnvironment(name="app")
    from flytekit_ext.flyte.ai.agents import Agent
    from flytekit_ext.flyte.artifacts import new
    from flytekit_ext.flyte.sandbox import orchestrate_local

    with pytest.raises(UnavailableOnFlyte1Error, match=r"flyte\.ai\.agents\.Agent is Flyte 2 only.*client library"):
        Agent(name="helper")
    with pytest.raises(UnavailableOnFlyte1Error, match=r"flyte\.sandbox\.orchestrate_local is Flyte 2 only"):
        orchestrate_local("print(1)")
    with pytest.raises(UnavailableOnFlyte1Error, match=r"flyte\.artifacts\.new is Flyte 2 only.*task output"):
        new(name="a")
    from flytekit_ext.flyte.ai import agents

    assert agents.__name__ == "flytekit_ext.flyte.ai.agents"  # the module, not a stand-in for a name
    with pytest.raises(UnavailableOnFlyte1Error, match=r"flyte\.sandbox\.create is Flyte 2 only"):
        flyte.sandbox.create()  # reached as an attribute of the package, as `import flyte` programs do
    with pytest.raises(UnavailableOnFlyte1Error, match=r"flyte\.remote\.Action\.get .*FlyteRemote"):
        Action.get(name="a0")
    assert isinstance(flyte.run(kinds.double, x=1), Run)
    assert not hasattr(flyte, "no_such_name")
    from flytekit_ext.flyte.extras import ContainerTask, Sleep

    with pytest.raises(UnavailableOnFlyte1Error, match=r"flyte\.extras\.ContainerTask .*flytekit\.ContainerTask"):
        ContainerTask(name="c")
    # The core-sleep plugin's tasks run their own body, as Flyte 2 runs them locally.
    sleepy = flyte.TaskEnvironment(name="sleepy", plugin_config=Sleep())

    @sleepy.task
    def nap(seconds: int) -> int:
        return seconds

    assert flyte.run(nap, seconds=3).outputs() == (3,)


def test_bad_settings_are_errors_naming_the_environment_or_setting():
    with pytest.raises(ValueError, match="snake_case or kebab-case"):
        flyte.TaskEnvironment(name="Not Valid")
    with pytest.raises(TypeError, match="'bad_res'.*Resources"):
        flyte.TaskEnvironment(name="bad_res", resources={"cpu": 1})
    with pytest.raises(ValueError, match="memory='lots'"):
        flyte.Resources(memory="lots")
    with pytest.raises(ValueError, match="Backoff: a cap is needed"):
        flyte.Backoff(base=timedelta(seconds=1), factor=2.0)


def test_group_trace_map_and_errors_are_flytekit_exts_own():
    assert flyte.group is flytekit_ext.group and flyte.trace is flytekit_ext.trace and flyte.map is flytekit_ext.map
    assert flyte.errors.RuntimeUserError is flytekit_ext.errors.RuntimeUserError
    assert flyte.errors.OOMError is flytekit_ext.errors.OOMError
    assert issubclass(flyte.errors.SyncTaskCallInAsyncContextError, flytekit_ext.errors.RuntimeUserError)


@pytest.mark.parametrize("name", ["leaf", "awaits_a_task"])
def test_an_async_tasks_call_is_a_coroutine_named_after_its_function_as_in_flyte_2(name):
    task = getattr(kinds, name)
    called = task(x=1)
    assert repr(called).startswith(f"<coroutine object {name} at 0x")  # what Flyte 2 prints for the same call
    assert asyncio.run(called) == asyncio.run(task.forward(x=1))
    with pytest.warns(RuntimeWarning, match=rf"coroutine '{name}' was never awaited"):
        task(x=1)
        gc.collect()
