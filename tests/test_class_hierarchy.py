"""Each flytekit_ext class is a subclass of its flytekit namesake, so flytekit keeps accepting our tasks."""

import inspect
import typing

import pytest
from flytekit.core import python_function_task as fk

import flytekit_ext
from flytekit_ext import eager, task

PAIRS = [
    (flytekit_ext.PythonFunctionTask, fk.PythonFunctionTask),
    (flytekit_ext.AsyncPythonFunctionTask, fk.AsyncPythonFunctionTask),
    (flytekit_ext.EagerAsyncPythonFunctionTask, fk.EagerAsyncPythonFunctionTask),
    (flytekit_ext.PythonInstanceTask, fk.PythonInstanceTask),
    (flytekit_ext.EagerFailureHandlerTask, fk.EagerFailureHandlerTask),
    (flytekit_ext.EagerFailureTaskResolver, fk.EagerFailureTaskResolver),
]


@pytest.mark.parametrize("ours, theirs", PAIRS, ids=lambda c: c.__name__)
def test_subclass_of_flytekit_namesake_and_not_the_same_class(ours, theirs):
    assert issubclass(ours, theirs)
    assert ours is not theirs
    assert ours.__module__.startswith("flytekit_ext.")


# What each class replaces or adds: the members through which calls, local runs and pods reach flytekit_ext's
# code rather than flytekit's. Each must be defined by a flytekit_ext class, not inherited from flytekit.
CALL_SURFACE = "__call__ aio override forward short_name dispatch_execute local_execute construct_node_metadata"
OWN_MEMBERS = {
    "PythonFunctionTask": f"{CALL_SURFACE} execute write_decks",
    "AsyncPythonFunctionTask": f"{CALL_SURFACE} async_execute execute",
    "EagerAsyncPythonFunctionTask": f"{CALL_SURFACE} async_execute execute get_as_workflow run run_with_backend "
    "local_execution_mode",
    "PythonInstanceTask": CALL_SURFACE,
    "EagerFailureHandlerTask": "dispatch_execute execute",
    "EagerFailureTaskResolver": "location name task_name load_task loader_args get_all_tasks",
}


def _defined_by(cls: type, member: str) -> type:
    return next(klass for klass in cls.__mro__ if member in vars(klass))


@pytest.mark.parametrize("class_name", sorted(OWN_MEMBERS))
def test_members_that_route_to_flytekit_ext_are_defined_by_flytekit_ext(class_name):
    cls = getattr(flytekit_ext, class_name)
    inherited = {
        member: _defined_by(cls, member).__qualname__
        for member in OWN_MEMBERS[class_name].split()
        if not _defined_by(cls, member).__module__.startswith("flytekit_ext.")
    }
    assert not inherited, f"{class_name} inherits these from flytekit: {inherited}"


def test_module_level_failure_resolver():
    assert isinstance(flytekit_ext.eager_failure_task_resolver, flytekit_ext.EagerFailureTaskResolver)
    assert flytekit_ext.eager_failure_task_resolver.location == "flytekit_ext.eager_failure_task_resolver"


def test_top_level_exports():
    from flytekit_ext import dynamic, workflow  # noqa: F401

    for name in ("task", "eager", "dynamic", "workflow", "default_task_resolver", "eager_failure_task_resolver"):
        assert name in flytekit_ext.__all__


@task
def sync_task(x: int) -> int:
    return x


@task
async def async_task(x: int) -> int:
    return x


@eager
async def eager_task(x: int) -> int:
    return x


@flytekit_ext.dynamic
def dynamic_task(x: int) -> typing.List[int]:
    return [sync_task(x=x)]


def test_decorators_pick_the_class():
    assert type(sync_task) is flytekit_ext.PythonFunctionTask
    assert type(async_task) is flytekit_ext.AsyncPythonFunctionTask
    assert type(eager_task) is flytekit_ext.EagerAsyncPythonFunctionTask
    assert type(dynamic_task) is flytekit_ext.PythonFunctionTask
    assert dynamic_task.execution_mode is fk.PythonFunctionTask.ExecutionBehavior.DYNAMIC
    assert eager_task.metadata.is_eager
    assert eager_task.enable_deck


def test_decorated_task_keeps_function_identity():
    assert sync_task.__name__ == "sync_task"
    assert sync_task.__wrapped__ is sync_task.task_function
    assert inspect.iscoroutinefunction(async_task.task_function)


def test_bare_and_called_forms_are_equivalent():
    called = task()(sync_task.task_function)
    assert type(called) is type(sync_task)
    assert called.task_function is sync_task.task_function
    assert called(x=3) == sync_task(x=3) == 3


def test_short_name_defaults_to_function_name_and_can_be_set():
    assert sync_task.short_name == "sync_task"

    @task(short_name="friendly")
    def named(x: int) -> int:
        return x

    assert named.short_name == "friendly"
    assert named.construct_node_metadata().name == "friendly"

    @eager(short_name="root")
    async def eager_named(x: int) -> int:
        return x

    assert eager_named.short_name == "root"


def test_task_config_selects_registered_plugin_class():
    from flytekit.core.task import TaskPlugins

    class MyConfig:
        pass

    class MyPluginTask(flytekit_ext.PythonFunctionTask):
        pass

    TaskPlugins.register_pythontask_plugin(MyConfig, MyPluginTask)

    @task(task_config=MyConfig())
    def plugged(x: int) -> int:
        return x + 1

    assert type(plugged) is MyPluginTask
    assert plugged(x=1) == 2


def test_eager_of_a_plain_function_warns_then_fails_clearly_when_run():
    with pytest.warns(UserWarning, match="not_async"):

        @eager
        def not_async(x: int) -> int:
            return x

    import asyncio

    with pytest.raises(TypeError, match="not_async.*not an async function"):
        asyncio.run(not_async(x=1))


def test_eager_does_not_mutate_given_metadata():
    from flytekit.core.base_task import TaskMetadata

    shared = TaskMetadata(retries=2)

    @eager(metadata=shared)
    async def uses_shared(x: int) -> int:
        return x

    assert uses_shared.metadata.is_eager and uses_shared.metadata.retries == 2
    assert shared.is_eager is False


def test_unknown_decorator_argument_is_rejected_like_flytekit():
    with pytest.raises(ValueError, match="Unrecognized argument"):
        task(template="oops")
