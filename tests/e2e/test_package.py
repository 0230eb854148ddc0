"""``pyflyte package`` serializes flytekit_ext tasks for flytekit_ext's resolver; ``pyflyte-execute`` runs them back.

No mocks: the real ``pyflyte`` writes the package, and the real ``pyflyte-execute`` / ``pyflyte-map-execute``
run each task's container args from it, with propeller's template variables replaced by local directories.
"""

from __future__ import annotations

import base64
from typing import Dict

import pytest
from flyteidl.core import errors_pb2, execution_pb2
from flytekit.configuration import SerializationSettings

from tests.e2e import _support as support
from tests.e2e.pkg import flows

# One worker packages and executes once for the whole module (and test_resolution.py's pod test).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("e2e-package")]

M = support.MODULE

FUNCTION_TASKS = [
    "add_one", "double", "shift", "summarize", "fail", "fail_for_good", "fail_as_flytekit_says", "only_raises",
    "square", "eager_total",
]  # fmt: skip


# -- what pyflyte package writes ---------------------------------------------------------------------------------


def test_package_holds_every_entity_of_the_module(packaged):
    expected_tasks = {f"{M}.{name}" for name in FUNCTION_TASKS} | {"multiply", f"{M}.eager_total-cleanup"}
    assert expected_tasks <= set(packaged.tasks)
    assert {f"{M}.pipeline", f"{M}.mapped", f"{M}.eager_total"} <= set(packaged.workflows)
    assert {f"{M}.pipeline", f"{M}.mapped", f"{M}.eager_total"} <= set(packaged.launch_plans)


@pytest.mark.parametrize("name", FUNCTION_TASKS)
def test_function_task_container_runs_pyflyte_execute_with_our_resolver(packaged, name):
    template = packaged.task(f"{M}.{name}").template
    assert list(template.container.args) == support.expected_args(M, name)
    assert template.container.image == support.IMAGE
    assert template.type == "python-task"


def test_instance_task_is_found_by_its_module_level_variable(packaged):
    template = packaged.task("multiply").template
    assert list(template.container.args) == support.expected_args(M, "multiply")
    assert set(template.interface.inputs.variables) == {"x"}
    assert set(template.interface.outputs.variables) == {"o0"}


def test_async_and_dataclass_task_interfaces(packaged):
    double = packaged.task(f"{M}.double").template.interface
    assert double.inputs.variables["x"].type.simple == double.outputs.variables["o0"].type.simple != 0
    shift = packaged.task(f"{M}.shift").template.interface
    assert set(shift.inputs.variables) == {"p", "by"}
    assert shift.inputs.variables["p"].type.HasField("simple")  # a dataclass is a STRUCT with a schema
    assert shift.inputs.variables["p"].type.metadata  # ... the JSON schema of Point
    summarize = packaged.task(f"{M}.summarize").template.interface
    assert summarize.inputs.variables["xs"].type.HasField("collection_type")
    assert summarize.inputs.variables["weights"].type.HasField("map_value_type")


def test_eager_task_registers_as_workflow_with_cleanup_failure_node(packaged):
    name = f"{M}.eager_total"
    eager_template = packaged.task(name).template
    assert eager_template.metadata.is_eager
    assert list(eager_template.container.args) == support.expected_args(M, "eager_total")

    workflow = packaged.workflows[name].template
    (node,) = workflow.nodes
    assert node.task_node.reference_id.name == name
    assert node.metadata.name == "eager_total"  # the short name
    failure = workflow.failure_node
    assert failure.task_node.reference_id.name, "the eager workflow has no on-failure task node"
    cleanup = packaged.task(failure.task_node.reference_id.name).template
    assert cleanup.type == "eager_failure_handler_task"
    assert list(cleanup.container.args) == [
        "pyflyte-execute",
        *support.EXECUTE_PREFIX,
        "--resolver", support.FAILURE_RESOLVER,
        "--", "eager", "failure", "handler",
    ]  # fmt: skip
    assert cleanup.container.image == support.IMAGE
    # The failure node gets the eager task's inputs.
    assert set(cleanup.interface.inputs.variables) == set(eager_template.interface.inputs.variables)
    assert {binding.var for binding in failure.inputs} == {"x"}
    # The launch plan runs the workflow (with its failure node), not the bare task.
    assert packaged.launch_plans[name].spec.workflow_id.name == name


def test_eager_task_carries_serialization_settings_for_its_controller(packaged):
    env = {pair.key: pair.value for pair in packaged.task(f"{M}.eager_total").template.container.env}
    assert "_F_SS_C" in env, env
    settings = SerializationSettings.from_transport(env["_F_SS_C"])
    assert settings.image_config.default_image.full == support.IMAGE
    assert base64.b64decode(env["_F_SS_C"])  # plain base64 transport, as pyflyte-execute expects


def test_workflow_nodes_reference_the_packaged_tasks(packaged):
    workflow = packaged.workflows[f"{M}.pipeline"].template
    referenced = [node.task_node.reference_id.name for node in workflow.nodes]
    assert referenced == [f"{M}.add_one", f"{M}.double", "multiply"]
    assert [node.metadata.name for node in workflow.nodes] == ["add_one", "double", "multiply"]


def test_map_task_is_an_array_node_over_our_task(packaged):
    (node,) = packaged.workflows[f"{M}.mapped"].template.nodes
    assert node.HasField("array_node")
    map_name = node.array_node.node.task_node.reference_id.name
    template = packaged.task(map_name).template
    assert list(template.container.args) == [
        "pyflyte-map-execute",
        *support.EXECUTE_PREFIX,
        "--resolver", "flytekit.core.array_node_map_task.ArrayNodeMapTaskResolver",
        "--", "vars", "", "resolver", support.RESOLVER, "task-module", M, "task-name", "square",
    ]  # fmt: skip


# -- what pyflyte-execute makes of it ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "types", "expected"),
    [
        ("sync", {"o0": int}, {"o0": 4}),
        ("async", {"o0": int}, {"o0": 10}),
        ("dataclass", {"o0": flows.Point}, {"o0": flows.Point(x=4, y=5, label="a+3")}),
        ("collections", {"o0": Dict[str, float]}, {"o0": {"total": 6.0, "weighted": 6.5}}),
        ("instance", {"o0": int}, {"o0": 40}),
        ("map_index_2", {"o0": int}, {"o0": 9}),  # square(x[2]): one array element, not the list
    ],
)
def test_pyflyte_execute_writes_outputs(executions, case, types, expected):
    assert executions[case].outputs(types) == expected


def test_user_exception_becomes_a_recoverable_user_error_document(executions):
    # flytekit_ext follows Flyte 2: a cluster retries a failing body (flytekit would write NON_RECOVERABLE).
    error = executions["raises"].error()
    assert error.origin == execution_pb2.ExecutionError.USER
    assert error.kind == errors_pb2.ContainerError.RECOVERABLE
    assert error.code == "ValueError"
    assert error.message.endswith("RecoverableUserError: ValueError: user failure: boom"), error.message
    assert executions["raises"].process.returncode == 0  # pyflyte-execute reports through error.pb, not its status


def test_user_error_document_keeps_the_user_traceback(executions):
    message = executions["raises"].error().message
    assert "pkg/flows.py" in message and "in fail" in message, message
    assert 'raise ValueError(f"user failure: {message}")' in message, message


def test_non_recoverable_error_becomes_a_non_recoverable_user_error_document(executions):
    error = executions["raises_non_recoverable"].error()
    assert error.origin == execution_pb2.ExecutionError.USER
    assert error.kind == errors_pb2.ContainerError.NON_RECOVERABLE
    assert error.code == "NonRecoverableError"
    assert "NonRecoverableError: no attempt could succeed: boom" in error.message
    assert "in fail_for_good" in error.message, error.message


def test_flytekits_non_recoverable_exception_stays_non_recoverable(executions):
    error = executions["raises_flytekit_non_recoverable"].error()
    assert (error.origin, error.kind) == (execution_pb2.ExecutionError.USER, errors_pb2.ContainerError.NON_RECOVERABLE)
    assert error.code == "USER:NonRecoverableSystemError"
    assert "broken" in error.message and "in fail_as_flytekit_says" in error.message, error.message


def test_a_task_whose_body_only_raises_packages_and_raises_in_the_pod(executions):
    error = executions["only_raises"].error()
    assert (error.kind, error.code) == (errors_pb2.ContainerError.RECOVERABLE, "KeyError")
    assert "in only_raises" in error.message and error.message.endswith("KeyError: 7"), error.message


def test_an_output_that_does_not_convert_is_a_non_recoverable_system_error(executions):
    error = executions["wrong_output_type"].error()
    assert error.origin == execution_pb2.ExecutionError.SYSTEM
    assert error.kind == errors_pb2.ContainerError.NON_RECOVERABLE


def test_wrong_input_literal_becomes_error_document(executions):
    error = executions["wrong_input_type"].error()
    assert error.kind == errors_pb2.ContainerError.NON_RECOVERABLE
    assert error.origin == execution_pb2.ExecutionError.SYSTEM  # as flytekit: input conversion is not user code
    assert "three" in error.message and "int" in error.message, error.message


def test_wrong_input_literal_error_names_the_input(executions):
    message = executions["wrong_input_type"].error().message
    assert "input 'x'" in message or "argument 'x'" in message, message
