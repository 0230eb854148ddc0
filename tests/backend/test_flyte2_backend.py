"""Flyte 2 patterns in eager tasks on a backend (the admin double), and the same tasks run locally.

Typed errors built from the child execution's error, retries made by the cluster (the double retries as
propeller does), child executions labelled and named by their group, map over a partial, and traced calls
reused by a retried parent.
"""

from __future__ import annotations

import asyncio
import datetime

import pytest
from flytekit.models.core.execution import WorkflowExecutionPhase

from . import fixtures_flyte2 as fx

pytestmark = pytest.mark.backend

PROJECT, DOMAIN, VERSION = "flytesnacks", "development", "v1"
FAST_POLL = datetime.timedelta(seconds=0.2)


@pytest.fixture
def double(admin_double_factory):
    return admin_double_factory(extra_env={"FLYTEKIT_EXT_EAGER_MAX_POLL_SECONDS": "0.3"})


@pytest.fixture
def run(double):
    remote = double.remote(PROJECT, DOMAIN)
    settings = double.serialization_settings(PROJECT, DOMAIN, VERSION)

    def launch(entity, **inputs):
        execution = remote.execute(entity, inputs=inputs, version=VERSION, serialization_settings=settings)
        execution = remote.wait(execution, poll_interval=FAST_POLL, timeout=datetime.timedelta(seconds=180))
        assert execution.closure.phase == WorkflowExecutionPhase.SUCCEEDED, double.logs(execution.id.name)
        return execution

    return launch


def children_of(double, parent_name):
    return [e for e in double.executions if e.parent == parent_name]


def test_a_failed_child_raises_the_same_typed_error_as_locally(run):
    kinds = ["value", "room", "custom", "non-recoverable"]
    local = asyncio.run(fx.catches(kinds=kinds))
    assert run(fx.catches, kinds=kinds).outputs["o0"] == local
    assert [line.split(" ", 1)[0] for line in local] == [
        "RuntimeUserError",
        "OOMError",
        "RuntimeUserError",
        "NonRecoverableError",
    ]


def test_the_cluster_retries_a_failing_child_but_not_a_non_recoverable_one(double, run):
    execution = run(fx.retried_children, x=5)
    assert execution.outputs["o0"] == "10 / NonRecoverableError: 5 is never valid"
    attempts = {c.entity.rsplit(".", 1)[-1]: c.nodes[0].attempts for c in children_of(double, execution.id.name)}
    assert attempts == {"flaky": 3, "refuses": 1}


def test_children_carry_their_group_as_a_label_and_in_their_names(double, run):
    execution = run(fx.grouped, n=5)
    assert execution.outputs["o0"] == [1, 3, 5, 2, 4, 101]
    children = children_of(double, execution.id.name)
    by_group = {}
    for child in children:
        by_group.setdefault(child.labels.get("eager-group"), []).append(child.name)
    assert {group: len(names) for group, names in by_group.items()} == {"evens": 3, "odd-numbers": 2, None: 1}
    assert all("-evens-" in name for name in by_group["evens"])
    assert all("-odd-numbers-" in name for name in by_group["odd-numbers"])
    # What a user asks the backend for: the children of one group of one parent.
    remote = double.remote(PROJECT, DOMAIN)
    from flytekit.models.filters import Equal

    found, _ = remote.client.list_executions_paginated(
        PROJECT,
        DOMAIN,
        filters=[Equal("execution_tag.key", "eager-group"), Equal("execution_tag.value", "evens")],
    )
    assert sorted(e.id.name for e in found) == sorted(by_group["evens"])


def test_map_over_a_partial_runs_each_item_as_a_child_with_the_bound_inputs(double, run):
    execution = run(fx.mapped_partial, xs=[1, 2, 3])
    assert execution.outputs["o0"] == [4, 7, 10] == asyncio.run(fx.mapped_partial(xs=[1, 2, 3]))
    children = children_of(double, execution.id.name)
    assert len(children) == 3 and all(c.entity.endswith(".scale") for c in children)


def test_a_retried_eager_task_reuses_its_traced_calls(double, run, tmp_path):
    execution = run(fx.traced_fails_once, x=3, log_dir=str(tmp_path))
    assert execution.outputs["o0"] == 3 * 7 + 4 * 7
    (node,) = double.execution(execution.id.name).nodes
    assert node.attempts == 2  # the first attempt failed after its traced calls
    assert (tmp_path / "expensive.log").read_text().split() == ["3", "4"]  # each ran once, not once an attempt
