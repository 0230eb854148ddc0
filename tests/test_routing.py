"""What a call means, in every place a task can be called: the runner chosen and what each kind of call gives.

One probe runs in each context and records, for a sync task, an async task, ``.aio``, ``.forward`` and
``map``, what the call returned (a native value, an awaitable, a promise, results) or which error it raised.
The table below is the routing the docs describe (docs/architecture.md); a change to routing shows here.
"""

import asyncio
import inspect
import typing

import pytest
from flytekit.core.context_manager import ExecutionState
from flytekit.core.promise import Promise, VoidPromise

import flytekit_ext
from flytekit_ext import dynamic, eager, task, workflow
from flytekit_ext._calls.route import RUNNERS
from flytekit_ext._core.contexts import current_context, entered
from flytekit_ext._core.where import where
from flytekit_ext._eager.session import in_mode


@task
def sync_child(x: int) -> int:
    return x + 1


@task
async def async_child(x: int) -> int:
    return x + 2


def _kind(make: typing.Callable[[], typing.Any]) -> str:
    try:
        result = make()
    except Exception as error:  # noqa: BLE001 - which error is what the table records
        return type(error).__name__
    if inspect.isawaitable(result):
        if inspect.iscoroutine(result):
            result.close()
        return "awaitable"
    if isinstance(result, (Promise, VoidPromise)):
        return "promise"
    if isinstance(result, typing.Iterator):
        return "results"
    return "value"


def probe() -> typing.Dict[str, str]:
    return {
        "runner": type(RUNNERS[where(current_context())]).__name__,
        "sync": _kind(lambda: sync_child(x=1)),
        "async": _kind(lambda: async_child(x=1)),
        "aio": _kind(lambda: sync_child.aio(x=1)),
        "forward": _kind(lambda: sync_child.forward(x=1)),
        "map": _kind(lambda: flytekit_ext.map(sync_child, [1, 2])),
    }


seen: typing.Dict[str, typing.Dict[str, str]] = {}


@task
def in_a_task(x: int) -> int:
    seen["task body"] = probe()
    return x


@eager
async def in_an_eager_task(x: int) -> int:
    seen["local eager body"] = probe()
    return x


@workflow
def in_a_workflow(x: int) -> int:
    state = current_context().execution_state
    mode = state.mode if state is not None else None
    seen["local workflow run" if mode is ExecutionState.Mode.LOCAL_WORKFLOW_EXECUTION else "workflow compile"] = probe()
    return sync_child(x=x)


@dynamic
def in_a_dynamic_task(x: int) -> int:
    seen["local dynamic run"] = probe()
    return sync_child(x=x)


def _on_a_backend() -> typing.Dict[str, str]:
    # The mode pyflyte-execute runs an eager body in; without a controller, calls say so clearly.
    with entered(in_mode(current_context(), ExecutionState.Mode.EAGER_EXECUTION)):
        return probe()


ROUTES = {
    # context: runner, sync task call, async task call, .aio, .forward, map
    "top level": ("InProcessRunner", "value", "awaitable", "awaitable", "value", "results"),
    "task body": ("InProcessRunner", "value", "awaitable", "awaitable", "value", "results"),
    "local eager body": ("LocalEagerRunner", "value", "awaitable", "awaitable", "value", "results"),
    "workflow compile": ("NodeRunner", "promise", "promise", "awaitable", "RuntimeError", "promise"),
    "local workflow run": ("LocalWorkflowRunner", "promise", "promise", "awaitable", "RuntimeError", "promise"),
    "local dynamic run": ("LocalWorkflowRunner", "promise", "promise", "awaitable", "RuntimeError", "promise"),
    "eager body on a backend": ("ChildExecutionRunner", "RuntimeError", "awaitable", "awaitable", "value", "results"),
}


@pytest.fixture(scope="module")
def table() -> typing.Dict[str, typing.Dict[str, str]]:
    seen["top level"] = probe()
    assert in_a_task(x=1) == 1
    assert asyncio.run(in_an_eager_task(x=1)) == 1
    assert in_a_workflow(x=1) == 2  # compiles the body, then runs it with promises
    assert in_a_dynamic_task(x=1) == 2
    seen["eager body on a backend"] = _on_a_backend()
    return seen


@pytest.mark.parametrize("context", sorted(ROUTES))
def test_routing_table(table, context):
    runner, *calls = ROUTES[context]
    assert table[context] == dict(zip(["runner", "sync", "async", "aio", "forward", "map"], [runner, *calls]))


def test_awaiting_in_a_workflow_body_is_an_error_naming_the_task():
    @workflow
    def awaits(x: int) -> int:
        asyncio.run(sync_child.aio(x=x))
        return sync_child(x=x)

    with pytest.raises(TypeError, match="sync_child' was awaited inside a @workflow"):
        awaits.compile()


def test_where_follows_each_context():
    top = current_context()
    compiling = top.with_compilation_state(top.new_compilation_state("probe")).build()
    for ctx, runner in [(top, "InProcessRunner"), (compiling, "NodeRunner"), (top, "InProcessRunner")]:
        assert type(RUNNERS[where(ctx)]).__name__ == runner
