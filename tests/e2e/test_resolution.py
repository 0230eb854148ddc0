"""Tasks that the resolver could not find in a pod: refused at decoration, or reported by pyflyte-execute."""

from __future__ import annotations

import pytest
from flyteidl.core import execution_pb2

import flytekit_ext
from tests.e2e import _support as support
from tests.e2e.pkg import nested


def test_nested_task_in_non_test_module_is_refused_at_decoration():
    with pytest.raises(ValueError) as raised:
        nested.make_nested_task()
    message = str(raised.value)
    assert "'make_nested_task.<locals>.inner'" in message
    assert "'tests.e2e.pkg.nested'" in message
    assert "module level" in message


def test_nested_task_in_test_module_is_allowed():
    @flytekit_ext.task
    def inner(x: int) -> int:
        return x + 1

    assert inner(x=1) == 2


@pytest.mark.slow
@pytest.mark.xdist_group("e2e-package")  # the session's executions, on the worker that made them
def test_pyflyte_execute_reports_a_missing_task_naming_module_and_task(executions):
    execution = executions["missing_task"]
    error = execution.error()
    assert error.origin == execution_pb2.ExecutionError.USER  # loading the task failed: the user's module
    assert f"Module '{support.MODULE}' has no task named 'no_such_task'" in error.message, error.message
