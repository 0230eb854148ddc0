"""Tests of the loopback FlyteAdmin double itself, driven through a real FlyteRemote and stock flytekit tasks."""

from __future__ import annotations

import datetime
import os
import time
import uuid

import pytest
from flytekit.core.options import Options
from flytekit.exceptions.system import FlyteSystemException
from flytekit.models import filters
from flytekit.models.admin import common as admin_common
from flytekit.models.common import Labels
from flytekit.models.core.execution import WorkflowExecutionPhase

from . import fixtures_stock as fs

pytestmark = pytest.mark.backend

PROJECT, DOMAIN = "flytesnacks", "development"
FAST_POLL = datetime.timedelta(seconds=0.2)


@pytest.fixture
def version() -> str:
    return "v" + uuid.uuid4().hex[:8]


@pytest.fixture
def remote(admin_double):
    return admin_double.remote(PROJECT, DOMAIN)


@pytest.fixture
def ss(admin_double, version):
    return admin_double.serialization_settings(PROJECT, DOMAIN, version)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_register_and_execute_task_reads_output(admin_double, remote, ss, version):
    ex = remote.execute(fs.add_one, inputs={"x": 41}, version=version, serialization_settings=ss)
    ex = remote.wait(ex, poll_interval=FAST_POLL, timeout=datetime.timedelta(seconds=60))

    assert ex.closure.phase == WorkflowExecutionPhase.SUCCEEDED
    assert ex.outputs["o0"] == 42
    assert remote.fetch_task(name=fs.add_one.name, version=version).id.version == version
    info = admin_double.execution(ex.id.name)
    assert info.phase == "SUCCEEDED" and [n.node_id for n in info.nodes] == ["n0"]


def test_task_sees_execution_envs_and_propeller_variables(admin_double, remote, ss, version):
    ex = remote.execute(
        fs.env_var, inputs={"name": "MY_SETTING"}, version=version, serialization_settings=ss, envs={"MY_SETTING": "42"}
    )
    ex = remote.wait(ex, poll_interval=FAST_POLL, timeout=datetime.timedelta(seconds=60))
    assert ex.outputs["o0"] == "42"

    ex = remote.execute(
        fs.env_var, inputs={"name": "FLYTE_INTERNAL_EXECUTION_ID"}, version=version, serialization_settings=ss
    )
    ex = remote.wait(ex, poll_interval=FAST_POLL, timeout=datetime.timedelta(seconds=60))
    assert ex.outputs["o0"] == ex.id.name


def test_workflow_runs_sequential_task_nodes_with_launch_plan_defaults(admin_double, remote, ss, version):
    ex = remote.execute(fs.add_then_double, inputs={}, version=version, serialization_settings=ss)
    ex = remote.wait(ex, poll_interval=FAST_POLL, timeout=datetime.timedelta(seconds=60))

    assert ex.closure.phase == WorkflowExecutionPhase.SUCCEEDED
    assert ex.outputs["o0"] == (3 + 1) * 2  # x defaults to 3 in the launch plan
    assert sorted(ex.node_executions) == ["n0", "n1"]
    assert ex.node_executions["n1"].outputs["o0"] == 8


def test_failing_task_surfaces_failed_with_message(admin_double, remote, ss, version):
    ex = remote.execute(fs.fail_with, inputs={"message": "boom-1234"}, version=version, serialization_settings=ss)
    ex = remote.wait(ex, poll_interval=FAST_POLL, timeout=datetime.timedelta(seconds=60))

    assert ex.closure.phase == WorkflowExecutionPhase.FAILED
    assert "boom-1234" in ex.error.message
    assert "boom-1234" in admin_double.execution(ex.id.name).error
    assert "boom-1234" in admin_double.logs(ex.id.name)


def test_terminate_sleeping_task_aborts_and_kills_subprocess(admin_double, remote, ss, version):
    ex = remote.execute(fs.sleep_for, inputs={"seconds": 120.0}, version=version, serialization_settings=ss)
    admin_double.wait_until(lambda: admin_double.execution(ex.id.name).pids, timeout=30)
    pid = admin_double.execution(ex.id.name).pids[0]
    time.sleep(1.5)  # let pyflyte-execute get into the task's sleep
    assert _pid_alive(pid)

    remote.terminate(ex, "stop sleeping")

    ex = remote.sync_execution(ex)
    assert ex.closure.phase == WorkflowExecutionPhase.ABORTED
    assert ex.is_done
    admin_double.wait_until(lambda: not _pid_alive(pid), timeout=10)
    info = admin_double.execution(ex.id.name)
    assert info.abort_cause == "stop sleeping" and info.nodes[0].phase == "ABORTED"
    with pytest.raises(FlyteSystemException):  # Admin refuses to abort a terminated execution (FAILED_PRECONDITION)
        remote.terminate(ex, "again")


def test_explicit_registration_fetch_and_launch_plan_execution(admin_double, remote, ss, version):
    remote.register_workflow(fs.add_then_double, ss, version=version)  # also registers its tasks and default LP

    latest = remote.fetch_task(name=fs.double.name)  # no version: the newest registered one
    assert latest.id.version == version
    fetched_wf = remote.fetch_workflow(name=fs.add_then_double.name, version=version)
    assert {n.id for n in fetched_wf.flyte_nodes} == {"n0", "n1"}
    lp = remote.fetch_launch_plan(name=fs.add_then_double.name, version=version)

    ex = remote.execute(lp, inputs={"x": 10}, execution_name="from-fetched-lp")
    ex = remote.wait(ex, poll_interval=FAST_POLL, timeout=datetime.timedelta(seconds=60))
    assert ex.outputs["o0"] == 22


def test_stop_kills_running_subprocesses(admin_double_factory, version):
    double = admin_double_factory()
    remote = double.remote(PROJECT, DOMAIN)
    ss = double.serialization_settings(PROJECT, DOMAIN, version)
    ex = remote.execute(fs.sleep_for, inputs={"seconds": 120.0}, version=version, serialization_settings=ss)
    double.wait_until(lambda: double.execution(ex.id.name).pids, timeout=30)
    pid = double.execution(ex.id.name).pids[0]

    double.stop()

    assert not _pid_alive(pid)
    assert double.execution(ex.id.name).phase == "ABORTED"


def test_upload_goes_to_the_double_work_root(admin_double, remote, tmp_path):
    source = tmp_path / "payload.txt"
    source.write_text("payload")
    _, native_url = remote.upload_file(source, PROJECT, DOMAIN)
    assert native_url.startswith(str(admin_double.work_root))
    assert open(native_url).read() == "payload"


def test_repeated_execution_name_returns_the_existing_execution(admin_double, remote, ss, version):
    first = remote.execute(
        fs.add_one, inputs={"x": 1}, version=version, serialization_settings=ss, execution_name="same"
    )
    second = remote.execute(
        fs.add_one, inputs={"x": 1}, version=version, serialization_settings=ss, execution_name="same"
    )
    assert first.id == second.id
    assert [e.name for e in admin_double.executions] == ["same"]


@pytest.mark.parametrize("name", ["with space", "1-starts-with-a-digit", "under_score", "x" * 64])
def test_an_execution_name_flyteadmin_refuses_is_refused(admin_double, remote, ss, version, name):
    with pytest.raises(Exception, match="invalid name format"):
        remote.execute(fs.add_one, inputs={"x": 1}, version=version, serialization_settings=ss, execution_name=name)
    assert name not in [e.name for e in admin_double.executions]


def test_list_executions_with_eager_tag_filters(admin_double, remote, ss, version):
    def launch(labels):
        return remote.execute(
            fs.sleep_for,
            inputs={"seconds": 120.0},
            version=version,
            serialization_settings=ss,
            options=Options(labels=Labels(labels)),
        )

    a1 = launch({"eager-exec": "parent-a", "eager-root-exec": "parent-a"})
    a2 = launch({"eager-exec": "parent-a", "eager-root-exec": "parent-a"})
    launch({"eager-exec": "parent-b", "eager-root-exec": "parent-a"})  # grandchild of parent-a
    launch({"team": "x"})
    admin_double.wait_until(lambda: all(e.phase == "RUNNING" for e in admin_double.executions), timeout=30)

    # exactly what flytekit's EagerFailureHandlerTask sends
    children_of_a = [
        filters.ValueIn("execution_tag.key", ["eager-exec"]),
        filters.ValueIn("execution_tag.value", ["parent-a"]),
        filters.ValueIn("phase", ["UNDEFINED", "QUEUED", "RUNNING"]),
    ]
    newest_first = admin_common.Sort("created_at", admin_common.Sort.Direction.DESCENDING)
    found, token = remote.client.list_executions_paginated(
        PROJECT, DOMAIN, limit=100, filters=children_of_a, sort_by=newest_first
    )
    assert [e.id.name for e in found] == [a2.id.name, a1.id.name]
    assert token == ""

    # (the parent-b child is not found although a label of it has the value parent-a: the key and the value
    # filter must hold for the same label, as with Admin's join on its execution_tags table)
    page, token = remote.client.list_executions_paginated(PROJECT, DOMAIN, limit=1, filters=children_of_a[:2])
    assert len(page) == 1 and token == "1"

    assert remote.client.list_executions_paginated(
        PROJECT, DOMAIN, filters=[filters.ValueIn("execution_tag.key", ["team"])]
    )[0][0].spec.labels.values == {"team": "x"}
    assert remote.client.list_executions_paginated(
        PROJECT, DOMAIN, filters=children_of_a[:2] + [filters.ValueIn("phase", ["SUCCEEDED"])]
    ) == ([], "")

    for e in found:
        remote.client.terminate_execution(e.id, "cleanup")
    found, _ = remote.client.list_executions_paginated(PROJECT, DOMAIN, filters=children_of_a)
    assert found == []
    assert {e.name: e.phase for e in admin_double.executions}[a1.id.name] == "ABORTED"


def test_unsupported_node_kind_fails_with_explanation(admin_double, remote, ss, version):
    ex = remote.execute(fs.nested_workflow, inputs={"x": 1}, version=version, serialization_settings=ss)
    ex = remote.wait(ex, poll_interval=FAST_POLL, timeout=datetime.timedelta(seconds=60))
    assert ex.closure.phase == WorkflowExecutionPhase.FAILED
    assert "unsupported by the admin double" in ex.error.message


def test_flytekit_eager_task_runs_children_as_executions(admin_double, remote, ss, version):
    ex = remote.execute(fs.eager_add_then_double, inputs={"x": 4}, version=version, serialization_settings=ss)
    ex = remote.wait(ex, poll_interval=FAST_POLL, timeout=datetime.timedelta(seconds=90))

    assert ex.closure.phase == WorkflowExecutionPhase.SUCCEEDED, ex.error
    assert ex.outputs["o0"] == 10
    children = [e for e in admin_double.executions if e.parent == ex.id.name]
    assert sorted(c.entity.rsplit(".", 1)[-1] for c in children) == ["add_one", "double"]
    assert all(c.phase == "SUCCEEDED" and c.root == ex.id.name for c in children)


def test_eager_workflow_failure_node_terminates_abandoned_children(admin_double, remote, ss, version):
    wf = fs.eager_abandons_sleeper.get_as_workflow()  # the eager node + the EagerFailureHandlerTask node
    ex = remote.execute(wf, inputs={"seconds": 120.0}, version=version, serialization_settings=ss)
    info = admin_double.wait(ex.id.name, timeout=90)

    assert info.phase == "FAILED"
    assert "eager parent gives up" in info.error
    assert [(n.node_id, n.phase) for n in info.nodes] == [("n0", "FAILED"), ("efn", "SUCCEEDED")]
    (child,) = [e for e in admin_double.executions if e.parent == ex.id.name]
    assert child.phase == "ABORTED"
    assert child.abort_cause == f"clean up by parent eager execution {ex.id.name}"
    admin_double.wait_until(lambda: not any(_pid_alive(p) for p in child.pids), timeout=10)


def test_failure_node_on_abort_cleans_up_after_terminated_eager_parent(admin_double_factory, version):
    double = admin_double_factory(failure_node_on_abort=True)
    remote = double.remote(PROJECT, DOMAIN)
    ss = double.serialization_settings(PROJECT, DOMAIN, version)
    wf = fs.eager_abandons_sleeper.get_as_workflow()
    ex = remote.execute(wf, inputs={"seconds": 120.0}, version=version, serialization_settings=ss)
    double.wait_until(lambda: any(e.parent == ex.id.name and e.pids for e in double.executions), timeout=60)

    remote.terminate(ex, "user pressed abort")

    def cleaned_up() -> bool:
        return any(n.node_id == "efn" and n.phase == "SUCCEEDED" for n in double.execution(ex.id.name).nodes)

    double.wait_until(cleaned_up, timeout=60)
    parent = double.execution(ex.id.name)
    assert parent.phase == "ABORTED" and parent.abort_cause == "user pressed abort"
    (child,) = [e for e in double.executions if e.parent == ex.id.name]
    assert child.phase == "ABORTED"
