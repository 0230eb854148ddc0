"""Eager children on a backend at scale: how they are named, launched, followed, and reported when they fail.

Against the loopback admin double, with each eager task in a real ``pyflyte-execute`` process. Retried parents
are the double retrying a task whose first attempt raised a recoverable error, as a cluster does.
"""

from __future__ import annotations

import datetime

import grpc
import pytest
from flyteidl.core import literals_pb2

from . import fixtures_ext as fx
from .admin_double import Simulation
from .fixtures_ext import frames_printing_alike

pytestmark = pytest.mark.backend

PROJECT, DOMAIN, VERSION = "flytesnacks", "development", "v1"
FAST_ENV = {"FLYTEKIT_EXT_EAGER_MAX_POLL_SECONDS": "0.3", "FLYTEKIT_EXT_EAGER_CLEANUP_SETTLE_SECONDS": "1"}


@pytest.fixture
def double(admin_double_factory):
    return admin_double_factory(extra_env=dict(FAST_ENV))


def launch(double, entity, **inputs):
    """Launch ``entity``; the execution's name. Waiting happens on the double's side (no admin calls)."""
    remote = double.remote(PROJECT, DOMAIN)
    settings = double.serialization_settings(PROJECT, DOMAIN, VERSION)
    return remote.execute(entity, inputs=inputs, version=VERSION, serialization_settings=settings).id.name


def outputs(double, name):
    remote = double.remote(PROJECT, DOMAIN)
    execution = remote.fetch_execution(project=PROJECT, domain=DOMAIN, name=name)
    return remote.wait(execution, poll_interval=datetime.timedelta(seconds=0.2)).outputs


def children_of(double, parent):
    return [e for e in double.executions if e.parent == parent]


def nothing_left_running(double):
    double.wait_until(lambda: all(e.is_terminal for e in double.executions), timeout=60)
    return True


def test_a_retried_parent_finds_its_child_whatever_the_inputs_repr(double):
    parent = launch(double, fx.retried_with_an_opaque_input, x=4)
    info = double.wait(parent, timeout=180)
    assert info.phase == "SUCCEEDED", double.logs(parent)
    assert info.nodes[0].attempts == 2  # the first attempt failed after its child had succeeded
    assert outputs(double, parent)["o0"] == 5
    (child,) = children_of(double, parent)  # the second attempt found it: same inputs, same name
    assert child.phase == "SUCCEEDED" and child.nodes[0].attempts == 1
    assert nothing_left_running(double)


def test_frames_that_print_alike_get_different_children(double):
    first, second = frames_printing_alike(100)
    parent = launch(double, fx.retried_with_a_frame_printing_alike, rows=100)
    info = double.wait(parent, timeout=180)
    assert info.phase == "SUCCEEDED", double.logs(parent)
    # The second attempt sent the second frame and got its total, not the first attempt's child's.
    assert outputs(double, parent)["o0"] == float(second["v"].sum()) != float(first["v"].sum())
    names = {c.name for c in children_of(double, parent)}
    assert len(names) == 2
    assert nothing_left_running(double)


def test_a_hash_method_makes_a_frame_find_its_child_in_a_retried_parent(double):
    parent = launch(double, fx.retried_with_a_hashed_frame, rows=100)
    info = double.wait(parent, timeout=180)
    assert info.phase == "SUCCEEDED", double.logs(parent)
    assert info.nodes[0].attempts == 2
    assert outputs(double, parent)["o0"] == 100.0
    # Each attempt uploaded the frame to a new place; its HashMethod hash, not that place, names the child.
    (child,) = children_of(double, parent)
    assert child.phase == "SUCCEEDED"
    assert nothing_left_running(double)


def test_a_child_an_earlier_attempt_aborted_is_launched_anew(double):
    parent = launch(double, fx.retried_after_its_child_was_aborted, seconds=4.0)
    info = double.wait(parent, timeout=180)
    assert info.phase == "SUCCEEDED", double.logs(parent)
    assert outputs(double, parent)["o0"] == 4.0
    first, second = sorted(children_of(double, parent), key=lambda c: c.created_at)
    assert (first.phase, second.phase) == ("ABORTED", "SUCCEEDED")
    assert f"eager execution {parent} failed: RuntimeError" in first.abort_cause
    assert second.name == f"{first.name}-r1"
    assert nothing_left_running(double)


@pytest.mark.parametrize(
    "code, times, after_running",
    [
        (grpc.StatusCode.UNAVAILABLE, 6, False),  # refused: flytekit's client tries 4 times, then the controller
        (grpc.StatusCode.RESOURCE_EXHAUSTED, 6, False),  # the admin pushes back
        (grpc.StatusCode.UNAVAILABLE, 1, True),  # created, but the answer was lost: the next try finds it
    ],
    ids=["unavailable", "resource-exhausted", "answer-lost"],
)
def test_a_launch_that_failed_transiently_launches_the_child_once(double, code, times, after_running):
    parent = launch(double, fx.launches_after, x=1, seconds=2.0)
    double.wait_until(lambda: double.execution(parent).phase == "RUNNING", timeout=60)
    double.faults.fail("CreateExecution", code=code, times=times, after_running=after_running)
    info = double.wait(parent, timeout=180)
    assert info.phase == "SUCCEEDED", double.logs(parent)
    assert double.faults.injected.count("CreateExecution") == times
    assert outputs(double, parent)["o0"] == 2
    (child,) = children_of(double, parent)
    assert child.phase == "SUCCEEDED" and child.nodes[0].attempts == 1
    assert nothing_left_running(double)


def test_the_failed_parent_names_the_child_execution_its_task_and_code(double):
    parent = launch(double, fx.fails_through_its_child, message="bad input 7")
    info = double.wait(parent, timeout=180)
    assert info.phase == "FAILED"
    (child,) = children_of(double, parent)
    assert child.phase == "FAILED"
    console = f"http://{double.endpoint}/console/projects/{PROJECT}/domains/{DOMAIN}/executions/{child.name}"
    assert f"child execution {child.name} (task {fx.fail_with.name}; {console}) failed with ValueError" in info.error
    assert "bad input 7" in info.error
    assert info.error_code == "ValueError"
    assert nothing_left_running(double)


def _squares(inputs: literals_pb2.LiteralMap) -> literals_pb2.LiteralMap:
    x = inputs.literals["x"].scalar.primitive.integer
    squared = literals_pb2.LiteralMap()
    squared.literals["o0"].scalar.primitive.integer = x * x
    return squared


def test_children_are_followed_by_listing_not_one_by_one(admin_double_factory):
    # Listings every 2 s at most (the default): their number grows with the run's length, not with its children.
    double = admin_double_factory(simulation=Simulation(seconds=1.0, outputs=_squares))
    n = 300
    parent = launch(double, fx.gathers_squares, n=n)
    before = double.calls.snapshot()  # the parent's process has not started yet: what follows is its calls
    info = double.wait(parent, timeout=180)
    calls = double.calls.since(before)
    assert info.phase == "SUCCEEDED", double.logs(parent)
    assert outputs(double, parent)["o0"] == sum(i * i for i in range(n))
    assert calls["CreateExecution"] == n and calls["GetExecutionData"] == n
    assert "GetExecution" not in calls  # no child asked for on its own
    assert calls["ListExecutions"] < n / 5
    assert sum(calls.values()) <= 3 * n
    assert len(children_of(double, parent)) == n
    assert nothing_left_running(double)


def test_a_name_taken_by_another_parents_execution_is_not_adopted(double):
    from flytekit.core.type_engine import TypeEngine
    from flytekit.models.common import Labels
    from flytekit.models.literals import LiteralMap
    from flytekit.tools.translator import Options

    from flytekit_ext._core.naming import display_name
    from flytekit_ext._eager import names

    parent = launch(double, fx.launches_after, x=1, seconds=4.0)
    # The name the parent's call will give its child, taken first by an execution another parent launched.
    one = TypeEngine.to_literal(None, 1, int, TypeEngine.to_literal_type(int))
    digest = names.inputs_digest(LiteralMap({"x": one}))
    prefix = names.exec_prefix(display_name(fx.launches_after), parent)
    taken = names.child_name(prefix, parent, None, display_name(fx.add_one), 0, digest)
    remote = double.remote(PROJECT, DOMAIN)
    remote.execute(
        fx.add_one,
        inputs={"x": 1},
        execution_name=taken,
        version=VERSION,
        serialization_settings=double.serialization_settings(PROJECT, DOMAIN, VERSION),
        options=Options(labels=Labels({"eager-exec": "another-parent"})),
    )
    info = double.wait(parent, timeout=180)
    assert info.phase == "FAILED"
    assert f"its execution name {taken} is taken by an execution of '{fx.add_one.name}'" in info.error
    assert "launched by eager execution another-parent" in info.error
    (other,) = [e for e in double.executions if e.name == taken]
    assert other.parent == "another-parent" and other.phase == "SUCCEEDED"  # not ours: left alone
    assert children_of(double, parent) == []
    assert nothing_left_running(double)


def test_outputs_the_admin_answers_by_location_are_read_from_there(admin_double_factory):
    double = admin_double_factory(extra_env=dict(FAST_ENV), max_inline_bytes=0)  # every output by its location
    parent = launch(double, fx.sequential, x=1)
    info = double.wait(parent, timeout=180)
    assert info.phase == "SUCCEEDED", double.logs(parent)
    assert outputs(double, parent)["o0"] == 9
    assert nothing_left_running(double)
