"""The default resolver: loader args to task and back, and the pyflyte-execute command it produces."""

import pytest
from flytekit.configuration import Image, ImageConfig, SerializationSettings

import flytekit_ext
from flytekit_ext import default_task_resolver
from tests.resolver_targets import echo, instance_echo

SETTINGS = SerializationSettings(
    project="p", domain="d", version="v", image_config=ImageConfig(default_image=Image(name="i", fqn="img", tag="t"))
)


def test_location_is_importable_path_of_the_module_level_object():
    from flytekit.tools.module_loader import load_object_from_module

    assert default_task_resolver.location == "flytekit_ext.resolver.default_task_resolver"
    assert load_object_from_module(default_task_resolver.location) is default_task_resolver


@pytest.mark.parametrize("target", [echo, instance_echo], ids=["function", "instance"])
def test_loader_args_round_trip(target):
    args = default_task_resolver.loader_args(SETTINGS, target)
    assert args[0] == "task-module" and args[2] == "task-name"
    assert default_task_resolver.load_task(args) is target


def test_container_command_is_pyflyte_execute_with_our_resolver():
    assert echo.get_command(SETTINGS) == [
        "pyflyte-execute",
        "--inputs", "{{.input}}",
        "--output-prefix", "{{.outputPrefix}}",
        "--raw-output-data-prefix", "{{.rawOutputDataPrefix}}",
        "--checkpoint-path", "{{.checkpointOutputPrefix}}",
        "--prev-checkpoint", "{{.prevCheckpointPrefix}}",
        "--resolver", "flytekit_ext.resolver.default_task_resolver",
        "--", "task-module", "tests.resolver_targets", "task-name", "echo",
    ]  # fmt: skip
    assert instance_echo.get_command(SETTINGS)[-4:] == [
        "task-module",
        "tests.resolver_targets",
        "task-name",
        "instance_echo",
    ]


def test_missing_task_names_module_and_task():
    with pytest.raises(AttributeError, match="'tests.resolver_targets' has no task named 'nope'"):
        default_task_resolver.load_task(["task-module", "tests.resolver_targets", "task-name", "nope"])


def test_missing_module_is_a_module_not_found_error():
    with pytest.raises(ModuleNotFoundError):
        default_task_resolver.load_task(["task-module", "tests.no_such_module", "task-name", "x"])


def test_malformed_loader_args():
    with pytest.raises(ValueError, match="expects loader args"):
        default_task_resolver.load_task(["echo"])


def test_get_all_tasks_lists_tasks_it_serves():
    tasks = default_task_resolver.get_all_tasks()
    assert echo in tasks and instance_echo in tasks


def test_failure_resolver_loads_the_cleanup_task():
    resolver = flytekit_ext.eager_failure_task_resolver
    assert resolver.loader_args(SETTINGS, echo) == ["eager", "failure", "handler"]
    loaded = resolver.load_task(["eager", "failure", "handler"])
    assert isinstance(loaded, flytekit_ext.EagerFailureHandlerTask)
    assert loaded.task_resolver is resolver
    assert "--resolver" in loaded.get_command(SETTINGS)
    assert resolver.location in loaded.get_command(SETTINGS)


def test_eager_task_serializes_as_workflow_with_cleanup_node():
    from tests.resolver_targets import eager_echo

    workflow = eager_echo.get_as_workflow()
    assert workflow.nodes[0].flyte_entity is eager_echo
    handler = workflow.failure_node.flyte_entity
    assert isinstance(handler, flytekit_ext.EagerFailureHandlerTask)
    assert handler.python_interface.inputs == eager_echo.python_interface.inputs
