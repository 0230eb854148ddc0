"""flytekit_ext eager tasks on a Flyte backend, end to end against the loopback admin double.

Each eager task runs in a real ``pyflyte-execute`` process, as on a cluster, and launches its children
through the double, which runs each of them in its own ``pyflyte-execute`` process.
"""

from __future__ import annotations

import datetime
import os
import signal

import grpc
import pytest
from flytekit.models.core.execution import WorkflowExecutionPhase

from . import fixtures_ext as fx

pytestmark = pytest.mark.backend

PROJECT, DOMAIN, VERSION = "flytesnacks", "development", "v1"
FAST_POLL = datetime.timedelta(seconds=0.2)
# Fast polling; a failure handler trusts an empty listing after 1 s (default 5 s) unless a test is about that wait.
FAST_ENV = {"FLYTEKIT_EXT_EAGER_MAX_POLL_SECONDS": "0.3", "FLYTEKIT_EXT_EAGER_CLEANUP_SETTLE_SECONDS": "1"}


@pytest.fixture
def double(admin_double_factory):
    return admin_double_factory(extra_env=dict(FAST_ENV))


@pytest.fixture
def run(double):
    remote = double.remote(PROJECT, DOMAIN)
    settings = double.serialization_settings(PROJECT, DOMAIN, VERSION)

    def launch(entity, timeout=120, wait=True, **inputs):
        execution = remote.execute(entity, inputs=inputs, version=VERSION, serialization_settings=settings)
        if not wait:
            return execution
        return remote.wait(execution, poll_interval=FAST_POLL, timeout=datetime.timedelta(seconds=timeout))

    return launch


def children_of(double, parent_name):
    return [e for e in double.executions if e.parent == parent_name]


def succeeded(execution):
    assert execution.closure.phase == WorkflowExecutionPhase.SUCCEEDED, execution.closure.error
    return execution


def test_sequential_children_run_as_executions(double, run):
    execution = succeeded(run(fx.sequential, x=1))
    assert execution.outputs["o0"] == 9
    children = children_of(double, execution.id.name)
    assert sorted(c.entity.rsplit(".", 1)[-1] for c in children) == ["add_one", "add_one", "slow_square"]
    assert all(c.phase == "SUCCEEDED" for c in children)


def test_gathered_children_run_concurrently(double, run):
    execution = succeeded(run(fx.gathered, n=3, seconds=4.0))
    assert execution.outputs["o0"] == [0, 1, 4]
    children = children_of(double, execution.id.name)
    assert len(children) == 3
    # all three were running at the same moment
    latest_start = max(c.started_at for c in children)
    earliest_end = min(c.finished_at for c in children)
    assert latest_start < earliest_end


def test_map_aio_bounds_children_in_flight(double, run):
    execution = succeeded(run(fx.mapped, n=4, concurrency=2, seconds=2.0))
    assert execution.outputs["o0"] == [0, 1, 4, 9]
    children = sorted(children_of(double, execution.id.name), key=lambda c: c.started_at)
    assert len(children) == 4
    for child in children:  # at no start were more than two children running
        overlapping = [o for o in children if o.started_at <= child.started_at < o.finished_at]
        assert len(overlapping) <= 2


def test_forward_stays_in_the_pod(double, run):
    execution = succeeded(run(fx.forwards, x=3))
    assert execution.outputs["o0"] == 4 + 9
    assert children_of(double, execution.id.name) == []


def test_short_name_and_override_name_the_child_executions(double, run):
    # The admin double refuses an execution name flyteadmin would (not a lower-case letter, then letters, digits
    # and '-'; more than 63 characters): a short name with spaces and capitals names a child through a DNS label.
    execution = succeeded(run(fx.named_children, x=1))
    assert execution.outputs["o0"] == 4
    names = sorted(c.name for c in children_of(double, execution.id.name))
    assert len(names) == 3
    assert "first-step" in names[0] and "second-step" in names[1] and "third-step" in names[2]


def test_child_failure_surfaces_in_the_parent_as_eager_exception(double, run):
    execution = succeeded(run(fx.catches_child_failure, message="boom from child"))
    result = execution.outputs["o0"]
    assert result.startswith("caught: ") and "boom from child" in result
    (child,) = children_of(double, execution.id.name)
    assert child.phase == "FAILED"


def test_sigterm_to_the_eager_process_terminates_running_children(double, run):
    execution = run(fx.waits_on_sleeper, wait=False, seconds=120.0)
    parent = execution.id.name
    double.wait_until(lambda: any(c.phase == "RUNNING" and c.pids for c in children_of(double, parent)), timeout=60)
    (pid,) = double.execution(parent).pids[-1:]
    os.kill(pid, signal.SIGTERM)
    double.wait_until(lambda: all(c.phase == "ABORTED" for c in children_of(double, parent)), timeout=30)
    (child,) = children_of(double, parent)
    assert "received SIGTERM" in child.abort_cause


def test_a_failing_eager_task_terminates_the_children_it_stopped_waiting_for(double, run):
    execution = run(fx.fails_while_child_runs, wait=False, seconds=120.0)
    info = double.wait(execution.id.name, timeout=120)
    assert info.phase == "FAILED" and "eager parent gives up" in info.error
    (child,) = children_of(double, execution.id.name)
    assert child.phase == "ABORTED"
    assert f"eager execution {execution.id.name} failed: RuntimeError" in child.abort_cause


def test_an_eager_task_returning_an_unawaited_call_fails_naming_itself_and_launches_nothing(double, run):
    execution = run(fx.forgets_to_await, wait=False, x=2)
    info = double.wait(execution.id.name, timeout=120)
    assert info.phase == "FAILED"
    assert "forgets_to_await' returned a coroutine that it never awaited" in info.error
    assert children_of(double, execution.id.name) == []


def test_failure_handler_terminates_children_left_running(double, run):
    workflow = fx.dies_while_child_runs.get_as_workflow()
    execution = run(workflow, wait=False, seconds=120.0)
    info = double.wait(execution.id.name, timeout=120)
    assert info.phase == "FAILED"
    assert [(n.node_id, n.phase) for n in info.nodes] == [("n0", "FAILED"), ("efn", "SUCCEEDED")]
    (child,) = children_of(double, execution.id.name)
    assert child.phase == "ABORTED"
    assert execution.id.name in child.abort_cause
    # The failure node's log ends with what it terminated, for whoever looks at the failed execution.
    assert f"terminated 1 child execution(s): {child.name}" in double.logs(execution.id.name)


def test_failure_handler_retries_when_the_admin_errors(double, run):
    workflow = fx.dies_while_child_runs.get_as_workflow()
    execution = run(workflow, wait=False, seconds=120.0)
    parent = execution.id.name
    double.wait_until(lambda: any(c.phase == "RUNNING" for c in children_of(double, parent)), timeout=60)
    # The eager task lists its children too: the failures are for the failure node, which starts once it died.
    double.wait_until(lambda: [n.phase for n in double.execution(parent).nodes][:1] == ["FAILED"], timeout=60)
    # flytekit's client retries a failed call three times by itself; six failures in a row get past that.
    double.faults.fail("ListExecutions", code=grpc.StatusCode.UNAVAILABLE, times=6)
    info = double.wait(parent, timeout=120)
    assert [(n.node_id, n.phase) for n in info.nodes] == [("n0", "FAILED"), ("efn", "SUCCEEDED")]
    assert double.faults.injected.count("ListExecutions") == 6
    (child,) = children_of(double, execution.id.name)
    assert child.phase == "ABORTED"
    assert "retrying" in double.logs(execution.id.name)


def test_failure_handler_gives_up_after_a_bounded_time(admin_double_factory):
    double = admin_double_factory(extra_env={**FAST_ENV, "FLYTEKIT_EXT_EAGER_CLEANUP_DEADLINE_SECONDS": "3"})
    remote = double.remote(PROJECT, DOMAIN)
    settings = double.serialization_settings(PROJECT, DOMAIN, VERSION)
    double.faults.fail("ListExecutions", times=None)  # the admin keeps failing
    workflow = fx.dies_while_child_runs.get_as_workflow()
    execution = remote.execute(workflow, inputs={"seconds": 120.0}, version=VERSION, serialization_settings=settings)
    info = double.wait(execution.id.name, timeout=120)
    assert [(n.node_id, n.phase) for n in info.nodes] == [("n0", "FAILED"), ("efn", "FAILED")]
    assert "gave up" in double.logs(execution.id.name)


def test_tasks_and_functions_travel_as_inputs_through_pyflyte_execute(double, run):
    execution = succeeded(run(fx.passes_callables, x=1))
    assert execution.outputs["o0"] == [2, 101]
    assert sorted(c.entity.rsplit(".", 1)[-1] for c in children_of(double, execution.id.name)) == ["apply_fn"] * 2


def test_anyio_task_group_around_child_calls(double, run):
    execution = succeeded(run(fx.task_group, n=3))
    assert execution.outputs["o0"] == [0, 1, 4]
    assert len(children_of(double, execution.id.name)) == 3


# --- launches in flight: nothing a parent started is left running ------------------------------------------

LAUNCH_DELAY = 5.0  # how long the double holds each child's CreateExecution (the test's launch of the parent runs)


def _hold_launches(double, children):
    double.faults.delay("CreateExecution", LAUNCH_DELAY, times=children, after=1)


def _all_children_end_aborted(double, parent, count):
    double.wait_until(lambda: len(children_of(double, parent)) == count, timeout=60)
    double.wait_until(lambda: all(c.phase == "ABORTED" for c in children_of(double, parent)), timeout=60)


def test_cancelled_calls_terminate_children_whose_launch_was_in_flight(double, run):
    _hold_launches(double, 4)
    execution = run(fx.cancels_launches, n=4, after=1.5, timeout=180)
    assert succeeded(execution).outputs["o0"] == 4
    assert double.faults.delayed.count("CreateExecution") == 4
    _all_children_end_aborted(double, execution.id.name, 4)


def test_a_body_failing_during_launches_terminates_every_child(double, run):
    _hold_launches(double, 3)
    execution = run(fx.fails_during_launches, wait=False, n=3, after=1.5)
    info = double.wait(execution.id.name, timeout=180)
    assert info.phase == "FAILED" and "being launched" in info.error
    _all_children_end_aborted(double, execution.id.name, 3)


def test_sigterm_during_launches_terminates_every_child(double, run):
    _hold_launches(double, 3)
    execution = run(fx.waits_on_sleepers, wait=False, n=3)
    parent = execution.id.name
    double.wait_until(lambda: double.faults.delayed.count("CreateExecution") >= 1, timeout=60)  # a child's
    (pid,) = double.execution(parent).pids[-1:]
    os.kill(pid, signal.SIGTERM)
    _all_children_end_aborted(double, parent, 3)


def test_failure_handler_finds_a_child_created_after_its_parent_died(admin_double_factory):
    double = admin_double_factory(extra_env={**FAST_ENV, "FLYTEKIT_EXT_EAGER_CLEANUP_SETTLE_SECONDS": "10"})
    remote = double.remote(PROJECT, DOMAIN)
    settings = double.serialization_settings(PROJECT, DOMAIN, VERSION)
    _hold_launches(double, 1)
    workflow = fx.dies_during_launch.get_as_workflow()
    execution = remote.execute(workflow, inputs={"after": 1.5}, version=VERSION, serialization_settings=settings)
    info = double.wait(execution.id.name, timeout=180)
    assert [(n.node_id, n.phase) for n in info.nodes] == [("n0", "FAILED"), ("efn", "SUCCEEDED")]
    _all_children_end_aborted(double, execution.id.name, 1)


def test_processes_in_an_eager_task_on_a_backend_makes_child_executions(double, run):
    execution = succeeded(run(fx.mapped_with_processes, n=3))
    assert execution.outputs["o0"] == [1, 2, 3]
    assert sorted(c.entity.rsplit(".", 1)[-1] for c in children_of(double, execution.id.name)) == ["add_one"] * 3
