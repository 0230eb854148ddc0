"""A sync task called without ``.aio`` in async code: warned about only when the call held up other calls.

The call blocks the event loop until it returns. That costs nothing when nothing else waits on the loop (a
notebook cell, an eager body's first step); it is what the warning is for when other task calls are in flight
meanwhile. Each test measures what the call held up, and checks the warning says it or is absent.
"""

import asyncio
import logging
import subprocess
import sys
import time
import typing
from pathlib import Path

import pytest

import flytekit_ext
from flytekit_ext import eager, task

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def warnings_logged(caplog) -> typing.Callable[[], typing.List[str]]:
    caplog.set_level(logging.WARNING)
    return lambda: [record.getMessage() for record in caplog.records if "without .aio" in record.getMessage()]


class Ticks:
    """When the ticking calls ended, to see whether they were held up."""

    def __init__(self) -> None:
        self.ended: typing.List[float] = []


ticks = Ticks()


@task
async def tick(x: int) -> int:
    await asyncio.sleep(0.01)
    ticks.ended.append(time.monotonic())
    return x


@task
def slow_total(n: int) -> int:
    time.sleep(0.4)
    return n


@task
def slow_square(x: int) -> int:
    time.sleep(0.4)
    return x * x


@task
def slow_double(x: int) -> int:
    time.sleep(0.4)
    return 2 * x


@task
def slow_half(x: int) -> int:
    time.sleep(0.4)
    return x // 2


@eager
async def holds_up_siblings(n: int) -> int:
    ticks.ended.clear()
    running = asyncio.gather(*(tick(x=i) for i in range(n)))
    await asyncio.sleep(0)  # the ticks start and wait on the loop
    blocked_at = time.monotonic()
    total = slow_total(n=n)  # the loop waits for it, and so do the ticks
    return total + sum(await running) + int(min(ticks.ended) - blocked_at >= 0.3)


def test_a_slow_direct_call_while_other_calls_run_warns_once_saying_what_it_held_up(warnings_logged):
    assert asyncio.run(holds_up_siblings(n=3)) == 3 + 3 + 1  # the ticks did wait for the call
    assert asyncio.run(holds_up_siblings(n=3)) == 7
    warned = warnings_logged()
    assert len(warned) == 1, warned  # once per task
    assert "slow_total" in warned[0] and "3 other calls" in warned[0] and "slow_total.aio(" in warned[0]


def test_a_direct_call_made_before_the_tasks_it_created_have_started_warns(warnings_logged):
    @eager
    async def creates_then_blocks(x: int) -> int:
        started = asyncio.create_task(tick(x=x))  # ready to start, and held up until the loop is free
        return slow_square(x=x) + await started

    assert asyncio.run(creates_then_blocks(x=2)) == 6
    warned = warnings_logged()
    assert len(warned) == 1 and "slow_square" in warned[0] and "1 other call" in warned[0], warned


def test_a_direct_call_in_plain_async_code_with_calls_in_flight_warns(warnings_logged):
    async def main() -> int:
        running = asyncio.ensure_future(tick.aio(x=1))
        await asyncio.sleep(0)
        return slow_double(x=1) + await running

    assert asyncio.run(main()) == 3
    assert [w for w in warnings_logged() if "slow_double" in w]


def test_no_warning_where_a_direct_call_holds_nothing_up(warnings_logged):
    @task
    async def halves_alone(x: int) -> int:
        return slow_half(x=x)  # its caller awaits it, and nothing else runs: nothing is held up

    @eager
    async def one_step_at_a_time(x: int) -> int:
        first = slow_half(x=x)  # nothing started yet
        after = await asyncio.gather(tick(x=first), tick(x=first))
        last = slow_half(x=sum(after))  # everything it started has ended
        alone = await asyncio.gather(halves_alone(x=x))  # a task of its own, which only its caller waits for
        return last + alone[0]

    assert asyncio.run(one_step_at_a_time(x=8)) == 4 + 4
    assert warnings_logged() == []


def _readme_snippet(tmp_path: Path) -> Path:
    """The README's first code block, as a file."""
    readme = (REPO / "README.md").read_text()
    snippet = tmp_path / "readme_snippet.py"
    snippet.write_text(readme.split("```python\n", 1)[1].split("```", 1)[0])
    return snippet


@pytest.mark.parametrize("example", ["README.md", "docs/examples/pipeline.py"])
def test_the_readme_example_runs_without_a_warning(tmp_path, example):
    """The README's example and the file its command runs, run as getting-started runs it (asyncio.run), each in
    a fresh process. (``pyflyte run``, the README's command, sets flytekit's logger to show errors only.)"""
    path = _readme_snippet(tmp_path) if example == "README.md" else REPO / example
    code = (
        f"import asyncio, runpy; pipeline = runpy.run_path({str(path)!r})['pipeline']; "
        "print(asyncio.run(pipeline(n=10)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "295"
    assert "WARNING" not in done.stderr + done.stdout, done.stderr


def test_a_map_of_a_sync_task_in_async_code_is_not_a_direct_call(warnings_logged):
    async def main() -> typing.List[int]:
        return [x async for x in flytekit_ext.map.aio(slow_half, [2, 4])]

    assert asyncio.run(main()) == [1, 2]
    assert warnings_logged() == []
