"""Local retries: a task with ``retries=N`` is re-run on exactly the failures a cluster would retry.

A failure of the body is retried unless it says no attempt could succeed (``NonRecoverableError``, flytekit's
non-recoverable exceptions, a child failure an eager task let through); conversion errors are never retried.
"""

import asyncio
import logging
import time
import typing
from pathlib import Path

import flytekit
import pytest
from flytekit.exceptions.system import FlyteNonRecoverableSystemException

import flytekit_ext
from flytekit_ext import eager, errors, task, workflow
from flytekit_ext._runtime.failures import LOCAL_RETRY_BACKOFF

attempts: typing.Dict[str, int] = {}


def attempt(key: str) -> int:
    attempts[key] = attempts.get(key, 0) + 1
    return attempts[key]


@pytest.fixture(autouse=True)
def fresh_counts():
    attempts.clear()


@task(retries=2)
def fails_twice(key: str) -> str:
    n = attempt(key)
    if n < 3:
        raise ValueError(f"transient failure {n}")
    return f"ok after {n}"


@task(retries=1)
def always_fails(key: str) -> int:
    raise RuntimeError(f"attempt {attempt(key)} failed")


@task(retries=3, short_name="validator")
def hopeless(key: str) -> int:
    attempt(key)
    raise errors.NonRecoverableError(f"{key} can never succeed")


@task(retries=3)
def flytekit_non_recoverable(key: str) -> int:
    attempt(key)
    raise FlyteNonRecoverableSystemException(ValueError("broken for good"))


@task
def no_retries(key: str) -> int:
    raise ValueError(f"attempt {attempt(key)}")


@task(retries=2)
def wrong_output(key: str) -> int:
    attempt(key)
    return "not an int"  # type: ignore[return-value]


def test_a_failing_body_is_retried_until_it_succeeds(caplog):
    with caplog.at_level(logging.WARNING, logger="flytekit"):
        assert fails_twice(key="a") == "ok after 3"
    assert attempts["a"] == 3
    logged = [r.getMessage() for r in caplog.records if "attempt" in r.getMessage()]
    assert logged == [
        "fails_twice: attempt 1 of 3 failed with ValueError: transient failure 1; retrying in 0.5s",
        "fails_twice: attempt 2 of 3 failed with ValueError: transient failure 2; retrying in 1.0s",
    ]


def test_the_final_error_is_the_last_attempts_and_says_how_many_ran():
    with pytest.raises(RuntimeError) as raised:
        always_fails(key="b")
    assert attempts["b"] == 2
    message = str(raised.value)
    assert "after 2 of 2 attempts" in message and "attempt 2 failed" in message, message


def test_without_retries_a_failure_is_raised_at_once_as_before():
    with pytest.raises(ValueError) as raised:
        no_retries(key="c")
    assert attempts["c"] == 1
    assert str(raised.value) == "Error encountered while executing 'tests.test_retries.no_retries':\n  attempt 1"


def test_a_non_recoverable_error_is_not_retried(caplog):
    with caplog.at_level(logging.WARNING, logger="flytekit"):
        with pytest.raises(errors.NonRecoverableError, match="can never succeed"):
            hopeless(key="d")
    assert attempts["d"] == 1
    assert any(
        "validator: attempt 1 of 4 failed with NonRecoverableError" in r.getMessage()
        and "not retried" in r.getMessage()
        for r in caplog.records
    )


def test_flytekits_non_recoverable_exception_is_not_retried():
    with pytest.raises(FlyteNonRecoverableSystemException):
        flytekit_non_recoverable(key="e")
    assert attempts["e"] == 1


def test_an_output_that_does_not_convert_is_not_retried():
    with pytest.raises(Exception, match="int"):
        wrong_output(key="f")
    assert attempts["f"] == 1


def test_an_input_that_does_not_convert_is_not_retried():
    with pytest.raises(Exception, match="key"):
        fails_twice(key=["not", "a", "str"])  # type: ignore[arg-type]
    assert attempts == {}


def test_override_gives_a_call_retries_and_its_short_name_shows_in_the_logs(caplog):
    with caplog.at_level(logging.WARNING, logger="flytekit"):
        with pytest.raises(ValueError):
            no_retries.override(retries=1, short_name="second-chance")(key="g")
    assert attempts["g"] == 2
    assert any(r.getMessage().startswith("second-chance: attempt 1 of 2 failed") for r in caplog.records)


def test_override_with_no_retries_turns_them_off():
    with pytest.raises(ValueError):
        fails_twice.override(retries=0)(key="h")
    assert attempts["h"] == 1


def test_a_bad_retries_override_names_the_task():
    with pytest.raises(ValueError, match=r"Task 'tests.test_retries.no_retries': retries must be an int >= 0, got -1"):
        no_retries.override(retries=-1)(key="i")


@task(retries=1)
async def async_fails_once(key: str) -> str:
    n = attempt(key)
    await asyncio.sleep(0)
    if n == 1:
        raise ConnectionError("first attempt")
    return f"ok after {n}"


def test_async_tasks_are_retried_on_the_event_loop():
    assert asyncio.run(async_fails_once(key="j")) == "ok after 2"
    assert attempts["j"] == 2


@eager
async def calls_flaky_children(key: str) -> typing.List[str]:
    first = fails_twice(key=f"{key}-sync")
    second = await async_fails_once(key=f"{key}-async")
    return [first, second]


def test_children_of_a_local_eager_task_are_retried():
    assert asyncio.run(calls_flaky_children(key="k")) == ["ok after 3", "ok after 2"]
    assert attempts == {"k-sync": 3, "k-async": 2}


@eager(retries=1)
async def eager_fails_once(key: str) -> str:
    if attempt(key) == 1:
        raise RuntimeError("the eager body fails its first attempt")
    return await async_fails_once(key=f"{key}-child")


def test_a_local_eager_task_is_retried_as_a_whole():
    assert asyncio.run(eager_fails_once(key="l")) == "ok after 2"
    assert attempts == {"l": 2, "l-child": 2}


@task
def plain(key: str) -> int:
    raise ValueError("fails")


@eager(retries=2)
async def lets_a_child_failure_through(key: str) -> int:
    attempt(key)
    return plain(key=key)


def test_a_child_failure_an_eager_task_lets_through_is_not_retried():
    # On a cluster a retried parent would find the same failed child execution: retrying here would disagree.
    with pytest.raises(errors.RuntimeUserError, match="fails"):
        asyncio.run(lets_a_child_failure_through(key="m"))
    assert attempts["m"] == 1


@workflow
def flaky_workflow(key: str) -> str:
    return fails_twice(key=key)


@workflow
def workflow_with_override(key: str) -> int:
    return always_fails.override(retries=0)(key=key)


def test_tasks_in_a_local_workflow_run_are_retried():
    assert flaky_workflow(key="n") == "ok after 3"
    assert attempts["n"] == 3


def test_overrides_in_a_workflow_apply_to_the_node_and_to_the_local_run():
    assert workflow_with_override.nodes[0].metadata.retries.retries == 0
    with pytest.raises(RuntimeError):
        workflow_with_override(key="o")
    assert attempts["o"] == 1


def test_map_items_are_each_retried():
    results = list(flytekit_ext.map(fails_twice, ["p1", "p2"]))
    assert results == ["ok after 3", "ok after 3"]


def test_the_delay_doubles_from_half_a_second_and_stays_short():
    assert [LOCAL_RETRY_BACKOFF.delay(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 2.0, 2.0]


def test_retries_wait_between_attempts():
    started = time.perf_counter()
    assert fails_twice(key="q") == "ok after 3"
    assert time.perf_counter() - started >= 1.5  # 0.5 s, then 1 s


# A task that resumes from its checkpoint, as flytekit's checkpointing examples do: each attempt reads where
# the previous one got to. On a cluster a retried pod reads the checkpoint the failed attempt wrote.
@task(retries=2)
def resumes(key: str) -> typing.List[int]:
    checkpoint = flytekit.current_context().checkpoint
    start = int(checkpoint.read() or b"0")
    starts = attempts.setdefault(key, [])  # type: ignore[arg-type]
    starts.append(start)  # type: ignore[attr-defined]
    checkpoint.write(str(start + 1).encode())
    if start < 2:
        raise ValueError(f"interrupted at {start}")
    return starts  # type: ignore[return-value]


@task(retries=2)
async def resumes_async(key: str) -> typing.List[int]:
    await asyncio.sleep(0)
    return resumes.forward(key=key)


@task(retries=1)
def own_sandbox(key: str) -> bool:
    folder = Path(flytekit.current_context().working_directory)
    if attempt(key) == 1:
        (folder / "partial").write_text("left by the failed attempt")
        raise ValueError("first attempt fails")
    return (folder / "partial").exists()


@workflow
def resuming_workflow() -> typing.List[int]:
    return resumes(key="workflow")


@pytest.mark.parametrize(
    "run",
    [
        lambda: resumes(key="top"),
        lambda: asyncio.run(resumes_async(key="top")),
        lambda: resuming_workflow(),
    ],
    ids=["top level", "async task", "workflow"],
)
def test_a_retry_reads_the_checkpoint_the_failed_attempt_wrote(run):
    assert run() == [0, 1, 2]


def test_a_retry_runs_in_a_working_directory_of_its_own():
    assert own_sandbox(key="sandbox") is False
