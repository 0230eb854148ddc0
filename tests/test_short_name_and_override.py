"""``short_name`` and ``task.override(...)``: per-call names and node overrides, the task left alone."""

import asyncio
import logging

import pytest

from flytekit_ext import task, workflow
from tests.pattern_tasks import double


def test_override_returns_a_callable_and_leaves_the_task_alone():
    changed = double.override(short_name="twice", retries=2, timeout=30, cache=False)
    assert changed.short_name == "twice"
    assert double.short_name == "double"
    assert double.metadata.retries == 0
    assert changed(3) == 6
    assert asyncio.run(changed.aio(3)) == 6
    assert changed.override(short_name="again").short_name == "again"


def test_override_rejects_unknown_keys_naming_them():
    with pytest.raises(TypeError, match="'bogus'"):
        double.override(bogus=1)
    with pytest.raises(TypeError, match=r"override\(short_name=...\) of task '.*double' must be a str"):
        double.override(short_name=3)


@pytest.mark.parametrize("empty", ["", "  "])
def test_an_empty_short_name_is_a_value_error_naming_the_task_whether_given_at_decoration_or_override(empty):
    with pytest.raises(ValueError, match="short_name of task '.*named_later' must not be empty"):

        @task(short_name=empty)
        def named_later(x: int) -> int:
            return x

    with pytest.raises(ValueError, match=r"override\(short_name=...\) of task '.*double' must not be empty"):
        double.override(short_name=empty)
    with pytest.raises(ValueError, match=r"override\(short_name=...\) of task '.*double' must not be empty"):
        double.override(retries=1).override(short_name=empty)


def test_a_short_name_longer_than_flyte_2s_limit_names_the_task_and_the_limit():
    too_long = r"short_name of task '.*named_at_length' is 300 characters long, .* at most 63"
    with pytest.raises(ValueError, match=too_long):

        @task(short_name="x" * 300)
        def named_at_length(x: int) -> int:
            return x

    with pytest.raises(ValueError, match=r"override\(short_name=...\) of task '.*double' is 64 characters long"):
        double.override(short_name="y" * 64)
    assert double.override(short_name="z" * 63).short_name == "z" * 63


@pytest.mark.parametrize("name", ["two\nlines", "a\ttab", "bell\a"])
def test_a_short_name_holds_no_line_break_or_control_character(name):
    one_line = r"override\(short_name=...\) of task '.*double' is .*: a short name is shown on one line"
    with pytest.raises(ValueError, match=one_line):
        double.override(short_name=name)


def test_a_short_name_with_spaces_is_the_nodes_display_name():
    # A display name (flyteidl's NodeMetadata.name takes any text): never a node id or an execution name as it is.
    @workflow
    def wf(x: int) -> int:
        return double.override(short_name="Double it (fast)")(x=x)

    node = wf.nodes[0]
    assert node.metadata.name == "Double it (fast)" and node.id == "n0"
    assert wf(x=2) == 4


def test_override_in_a_workflow_sets_node_overrides():
    @workflow
    def wf(x: int) -> int:
        return double.override(short_name="custom", retries=4, interruptible=True)(x=x)

    node = wf.nodes[0]
    assert node.metadata.name == "custom"
    assert node.metadata.retries.retries == 4
    assert node.metadata.interruptible is True


def test_short_name_is_what_local_logs_show(caplog):
    with caplog.at_level(logging.INFO, logger="flytekit"):
        double.override(short_name="shown-name")(1)
    assert any("shown-name" in record.getMessage() for record in caplog.records)


def test_short_name_on_a_flytekit_plugin_class_names_its_nodes():
    from flytekit.core.python_function_task import PythonFunctionTask as FlytekitFunctionTask
    from flytekit.core.task import TaskPlugins

    class ForeignConfig:
        pass

    class ForeignTask(FlytekitFunctionTask):
        pass

    TaskPlugins.register_pythontask_plugin(ForeignConfig, ForeignTask)

    def body(x: int) -> int:
        return x

    named = task(task_config=ForeignConfig(), short_name="shown")(body)
    assert isinstance(named, ForeignTask) and named.short_name == "shown"
    assert named.construct_node_metadata().name == "shown"
