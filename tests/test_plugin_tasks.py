"""flytekit plugins' task classes made by ``@flytekit_ext.task(task_config=...)``: the plugin's class and ours.

Real plugins (``flytekitplugins-dask``, ``flytekitplugins-pod``). Spark, Ray and PyTorch are in
``tests/heavy_plugins`` (run with ``-m heavy_plugins``).
"""

import asyncio
import logging
import os
import typing
from collections import OrderedDict
from pathlib import Path

import flytekit
import pytest
from flyteidl.core.workflow_pb2 import ArrayNode
from flytekit import map_task, workflow
from flytekit.configuration import ImageConfig, SerializationSettings
from flytekit.core import python_function_task as flytekit_tasks
from flytekit.core.context_manager import FlyteContextManager
from flytekit.tools.translator import get_serializable
from flytekitplugins.dask.task import DaskTask
from flytekitplugins.pod.task import PodFunctionTask

import flytekit_ext
from flytekit_ext._tasks.base import TaskCalls
from flytekit_ext._tasks.plugin import plugin_task_class
from flytekit_ext.testing import execute_task, package_tasks
from tests import plugin_tasks
from tests.plugin_tasks import count_words, dask_config, padded, pod_config

REPO_ROOT = Path(__file__).resolve().parent.parent
SETTINGS = SerializationSettings(image_config=ImageConfig.auto_default_image(), project="p", domain="d", version="v")
RESOLVERS = ("flytekit_ext.resolver.default_task_resolver", "flytekit.core.python_auto_container.default_task_resolver")


@pytest.mark.parametrize(("made", "plugin_class"), [(count_words, DaskTask), (padded, PodFunctionTask)])
def test_a_plugin_task_is_the_plugins_class_and_a_flytekit_ext_task(made, plugin_class):
    assert isinstance(made, plugin_class)
    assert isinstance(made, flytekit_ext.PythonFunctionTask) and isinstance(made, TaskCalls)
    assert type(made) is plugin_task_class(plugin_class)  # made once per plugin class
    assert made.task_resolver is flytekit_ext.default_task_resolver


def _serialized(entity) -> str:
    return str(get_serializable(OrderedDict(), SETTINGS, entity).to_flyte_idl())


@pytest.mark.parametrize(("made", "config"), [(count_words, dask_config), (padded, pod_config)], ids=["dask", "pod"])
def test_a_plugin_task_serializes_like_flytekits_except_the_resolver(made, config):
    flytekits = flytekit.task(task_config=config())(made.task_function)
    assert type(flytekits) is type(made).__mro__[1]  # flytekit made the plugin's own class
    ours = _serialized(made)
    assert RESOLVERS[0] in ours
    # flytekit prefixes the name of a task made inside a function (here, the test) with that module's name.
    assert ours.replace(*RESOLVERS) == _serialized(flytekits).replace(flytekits.name, made.name)


def test_short_name_names_the_node_and_override_renames_one_call():
    @workflow
    def wf(text: str) -> int:
        return count_words.override(short_name="again")(text=text)

    @workflow
    def plain(text: str) -> int:
        return count_words(text=text)

    assert count_words.short_name == "words"
    assert plain.nodes[0].metadata.name == "words"
    assert wf.nodes[0].metadata.name == "again"
    assert plain(text="a b c") == 3


def test_forward_runs_the_body_and_aio_awaits_the_call():
    assert count_words.forward(text="a b") == 2
    assert asyncio.run(count_words.aio(text="a b c d")) == 4
    assert padded(text="ab", width=4) == "ab.."


def test_map_runs_locally_and_is_an_array_node_in_a_workflow_like_map_task():
    assert list(flytekit_ext.map(count_words, ["a", "a b", "a b c"])) == [1, 2, 3]

    @workflow
    def wf(texts: typing.List[str]) -> typing.List[int]:
        return flytekit_ext.map(count_words, texts)

    assert wf(texts=["x y", "z"]) == [2, 1]
    assert wf.nodes[0].flyte_entity.execution_mode == ArrayNode.FULL_STATE  # what flytekit gives a plugin class
    flytekits = flytekit.task(task_config=dask_config())(count_words.task_function)
    assert map_task(count_words).execution_mode == map_task(flytekits).execution_mode


def test_a_plugins_own_local_execute_still_runs_and_hands_over_to_the_fast_path(caplog):
    with caplog.at_level(logging.WARNING, logger="flytekit"):
        assert padded(text="x", width=3) == "x.."
    assert any("Running pod task locally" in record.getMessage() for record in caplog.records)
    assert type(padded).wraps_local_execute and not type(count_words).wraps_local_execute


def test_plugin_tasks_take_the_fast_path_which_makes_no_sandbox_folder_unless_asked():
    root = os.path.dirname(str(flytekit.current_context().working_directory)) or "."
    before = set(os.listdir(root))
    count_words(text="a b")
    padded(text="a", width=2)
    assert set(os.listdir(root)) == before  # flytekit's path makes a sandbox and checkpoint folder per call
    flytekit.task(task_config=dask_config())(count_words.task_function)(text="a b")
    assert set(os.listdir(root)) != before


def test_a_plugin_class_registered_later_is_made_a_flytekit_ext_task_too():
    class LaterConfig:
        pass

    class LaterTask(flytekit_tasks.PythonFunctionTask):
        def pre_execute(self, user_params):
            # Plugins ask the current context where they run (ray.init's options, a Spark master): locally here.
            state = FlyteContextManager.current_context().execution_state
            return user_params.builder().add_attr("LATER", f"set up, local={state.is_local_execution()}").build()

    flytekit.core.task.TaskPlugins.register_pythontask_plugin(LaterConfig, LaterTask)

    def reads_setup() -> str:
        return flytekit.current_context().later

    made = flytekit_ext.task(task_config=LaterConfig(), short_name="later")(reads_setup)
    assert isinstance(made, LaterTask) and made.short_name == "later"
    assert made() == "set up, local=True"  # the plugin's pre_execute ran, on the fast path


def test_pyflyte_execute_runs_a_plugin_task_through_flytekit_ext(tmp_path):
    specs = package_tasks("tests.plugin_tasks", source_root=REPO_ROOT, out_dir=tmp_path)
    spec = specs[f"{plugin_tasks.__name__}.count_words"]
    assert spec.template.type == "dask"
    assert "flytekit_ext.resolver.default_task_resolver" in spec.template.container.args
    run = execute_task(spec, {"text": "one two three"}, {"text": str}, tmp_path / "run", REPO_ROOT)
    assert run.error is None, run.stderr
    assert run.output("o0", int) == 3


CALL_SURFACE = "__call__ aio override forward short_name dispatch_execute local_execute construct_node_metadata"


@pytest.mark.parametrize("plugin_class", [DaskTask, PodFunctionTask], ids=lambda c: c.__name__)
def test_the_call_surface_is_flytekit_exts_unless_the_plugin_defines_it(plugin_class):
    made = plugin_task_class(plugin_class)
    for member in CALL_SURFACE.split():
        owner = next(klass for klass in made.__mro__ if member in vars(klass))
        assert owner.__module__.startswith("flytekit_ext.") or owner is plugin_class, (member, owner)
    assert made.__mro__[1] is plugin_class  # what the plugin defines comes first


# The pod plugin's local_execute, and a plugin's own dispatch_execute, stand between a call and flytekit_ext's
# run of the body; what the call asked for must still reach the body's run.
def test_a_calls_retries_reach_the_body_through_a_plugins_local_execute():
    assert plugin_tasks.flaky_pod.override(retries=1)(key="override") == 2
    with pytest.raises(ValueError, match="first attempt for plain fails"):
        plugin_tasks.flaky_pod(key="plain")


def test_a_failed_plugin_task_in_a_local_eager_task_raises_a_typed_error():
    @flytekit_ext.eager
    async def parent() -> str:
        try:
            await plugin_tasks.flaky_pod.aio(key="eager")
        except flytekit_ext.errors.RuntimeUserError as error:
            return error.code
        return "no error"

    assert asyncio.run(parent()) == "ValueError"


class DispatchingConfig:
    pass


dispatched: typing.List[str] = []


class DispatchingTask(flytekit_tasks.PythonFunctionTask):
    def dispatch_execute(self, ctx, input_literal_map):
        dispatched.append(self.name)
        return super().dispatch_execute(ctx, input_literal_map)


flytekit.core.task.TaskPlugins.register_pythontask_plugin(DispatchingConfig, DispatchingTask)
flaky_dispatching_calls: typing.List[int] = []


@flytekit_ext.task(task_config=DispatchingConfig())
def flaky_dispatching(x: int) -> int:
    flaky_dispatching_calls.append(x)
    if flaky_dispatching_calls.count(x) == 1:
        raise ValueError(f"first attempt for {x} fails")
    return x


def test_a_plugins_own_dispatch_execute_runs_and_the_calls_retries_reach_the_body():
    dispatched.clear()
    assert type(flaky_dispatching).dispatches_itself
    assert flaky_dispatching.override(retries=1)(x=1) == 1
    assert asyncio.run(flaky_dispatching.override(retries=1).aio(x=2)) == 2  # from async code too
    assert dispatched == [flaky_dispatching.name] * 2


def test_hooks_set_on_a_task_run_as_flytekit_runs_them(monkeypatch):
    # flytekit calls the task's own pre_execute and post_execute, wherever they come from; tests and plugins
    # set them on a task as well as in a subclass.
    def body(x: int) -> int:
        return x + 1

    seen = {}
    for lib, decorate in {"flytekit": flytekit.task, "flytekit_ext": flytekit_ext.task}.items():
        made = decorate(body)
        calls = []
        monkeypatch.setattr(made, "pre_execute", lambda params, calls=calls: calls.append("pre") or params)
        monkeypatch.setattr(made, "post_execute", lambda params, returned, calls=calls: returned * 10)
        seen[lib] = (made(x=1), calls)
    assert seen["flytekit_ext"] == seen["flytekit"] == (20, ["pre"])


def test_an_execute_replaced_on_a_task_or_in_a_subclass_runs_as_with_flytekit(monkeypatch):
    # flytekit runs a task's body through its execute, so a test (or a plugin) that replaces execute on the task
    # or in a subclass sees its replacement run on a local call; the direct call of the function must not skip it.
    def body(x: int) -> int:
        return x + 1

    seen = {}
    for lib, decorate in {"flytekit": flytekit.task, "flytekit_ext": flytekit_ext.task}.items():
        made = decorate(body)
        monkeypatch.setattr(made, "execute", lambda **inputs: inputs["x"] * 100)
        seen[lib] = made(x=2)
    assert seen["flytekit_ext"] == seen["flytekit"] == 200

    class Doubling(flytekit_ext.PythonFunctionTask):
        def execute(self, **inputs):
            return super().execute(**inputs) * 2

    assert Doubling(task_config=None, task_function=body)(x=2) == 6


def test_a_hook_patched_onto_a_class_after_a_first_run_runs_as_with_flytekit(monkeypatch):
    # Test suites patch hooks onto task classes (mock.patch.object); whether a task of the class already ran
    # must not matter.
    def body(x: int) -> int:
        return x + 1

    seen = {}
    # flytekit_ext's class first: it subclasses flytekit's, so a hook patched onto flytekit's would reach it too.
    for lib, (decorate, cls) in {
        "flytekit_ext": (flytekit_ext.task, flytekit_ext.PythonFunctionTask),
        "flytekit": (flytekit.task, flytekit.PythonFunctionTask),
    }.items():
        made = decorate(body)
        first = made(x=1)
        monkeypatch.setattr(cls, "post_execute", lambda self, params, returned: returned * 10)
        seen[lib] = (first, made(x=1))
    assert seen["flytekit_ext"] == seen["flytekit"] == (2, 20)
