"""Spark, Ray and PyTorch tasks made by ``@flytekit_ext.task(task_config=...)``, run with the real plugins.

Marked ``heavy_plugins`` and deselected by default (``setup.cfg``): the plugins take minutes to install
(pyspark, ray, torch) and Spark needs Java. Run them with ``python -m pytest -m heavy_plugins`` after
installing the ``heavy-plugins`` extra (see docs/tasks.md).
"""

import asyncio
import importlib
from collections import OrderedDict

import flytekit
import pytest
from flyteidl.core.workflow_pb2 import ArrayNode
from flytekit import map_task, workflow
from flytekit.configuration import ImageConfig, SerializationSettings
from flytekit.tools.translator import get_serializable

import flytekit_ext

pytestmark = pytest.mark.heavy_plugins

SETTINGS = SerializationSettings(image_config=ImageConfig.auto_default_image(), project="p", domain="d", version="v")
RESOLVERS = ("flytekit_ext.resolver.default_task_resolver", "flytekit.core.python_auto_container.default_task_resolver")


@pytest.fixture(scope="module")
def heavy():
    # Imported here, not at collection: without the heavy plugins installed, deselected tests must still collect.
    return importlib.import_module("tests.heavy_plugins.heavy_tasks")


def _serialized(entity) -> str:
    return str(get_serializable(OrderedDict(), SETTINGS, entity).to_flyte_idl())


@pytest.mark.parametrize(
    ("name", "config", "plugin_class"),
    [
        ("spark_count", "spark_config", "flytekitplugins.spark.task.PysparkFunctionTask"),
        ("ray_squares", "ray_config", "flytekitplugins.ray.task.RayFunctionTask"),
        ("torch_total", "pytorch_config", "flytekitplugins.kfpytorch.task.PyTorchFunctionTask"),
        ("elastic_world", "elastic_config", "flytekitplugins.kfpytorch.task.PytorchElasticFunctionTask"),
    ],
)
def test_serializes_like_flytekit_except_the_resolver_and_is_both_classes(heavy, name, config, plugin_class):
    made = getattr(heavy, name)
    module_name, class_name = plugin_class.rsplit(".", 1)
    assert isinstance(made, getattr(importlib.import_module(module_name), class_name))
    assert isinstance(made, flytekit_ext.PythonFunctionTask)
    flytekits = flytekit.task(task_config=getattr(heavy, config)())(made.task_function)
    ours = _serialized(made)
    assert RESOLVERS[0] in ours
    # flytekit prefixes the name of a task made inside a function (here, the test) with that module's name.
    assert ours.replace(*RESOLVERS) == _serialized(flytekits).replace(flytekits.name, made.name)


def test_spark_task_gets_its_session_on_the_fast_path_and_keeps_the_patterns(heavy):
    assert heavy.spark_count(n=10) == 10
    assert heavy.spark_count.short_name == "spark-count"
    assert asyncio.run(heavy.spark_count.override(short_name="again").aio(n=4)) == 4

    @workflow
    def wf(n: int) -> int:
        return heavy.spark_count(n=n)

    assert wf.nodes[0].metadata.name == "spark-count"
    assert wf(n=3) == 3


def test_spark_task_reads_a_dataframe_a_task_returned_in_a_local_run(heavy):
    assert heavy.people_counted_by_spark() == 2


def test_ray_task_is_run_after_the_plugins_local_ray_init(heavy):
    assert heavy.ray_squares(n=4) == "14 runtime_env={}"


def test_pytorch_task_maps_forwards_and_is_an_array_node_like_map_task(heavy):
    assert heavy.torch_total.forward(n=4) == 6.0
    assert list(flytekit_ext.map(heavy.torch_total, [2, 3, 4])) == [1.0, 3.0, 6.0]

    @workflow
    def wf(ns: list[int]) -> list[float]:
        return flytekit_ext.map(heavy.torch_total, ns)

    assert wf(ns=[2, 5]) == [1.0, 10.0]
    assert wf.nodes[0].flyte_entity.execution_mode == map_task(heavy.torch_total).execution_mode
    assert wf.nodes[0].flyte_entity.execution_mode == ArrayNode.FULL_STATE


def test_elastic_task_runs_in_torch_elastics_processes(heavy):
    assert heavy.elastic_world(n=3) == 6  # two processes launched by the plugin's execute
