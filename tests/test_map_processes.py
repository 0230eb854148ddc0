"""``map(..., processes=N)``: items in worker processes, with a local call's semantics and nothing left behind."""

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
import typing
from pathlib import Path

import pytest
from flytekit.core.type_engine import TypeTransformerFailedError

import flytekit_ext
from flytekit_ext import eager, workflow
from tests import process_tasks
from tests.process_tasks import fails_at, pid_of, slow_pid, square


def _child_pids() -> typing.Set[int]:
    """Worker processes this one started that still run (Linux: /proc lists a thread's children).

    The resource trackers loky and multiprocessing start once per process, and keep, are not workers.
    """
    found: typing.Set[int] = set()
    for children in Path(f"/proc/{os.getpid()}/task").glob("*/children"):
        for pid in children.read_text().split():
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:  # ended meanwhile
                continue
            if b"resource_tracker" not in command:
                found.add(int(pid))
    return found


def _wait_for_no_children(before: typing.Set[int], timeout: float = 10.0) -> typing.Set[int]:
    deadline = time.monotonic() + timeout
    while (left := _child_pids() - before) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def test_items_run_in_other_processes_and_come_back_in_order():
    assert list(flytekit_ext.map(square, range(12), processes=2)) == [x * x for x in range(12)]
    pids = set(flytekit_ext.map(pid_of, range(8), processes=2))
    assert os.getpid() not in pids and 1 <= len(pids) <= 2


def test_map_aio_with_processes():
    async def main() -> typing.List[int]:
        return [r async for r in flytekit_ext.map.aio(square, range(6), processes=2)]

    assert asyncio.run(main()) == [x * x for x in range(6)]


def test_a_failing_item_carries_the_workers_traceback():
    results = list(flytekit_ext.map(fails_at, range(4), [2] * 4, processes=2))
    assert results[:2] == [0, 1] and results[3] == 3
    error = results[2]
    assert isinstance(error, ValueError) and "item 2 failed" in str(error)
    assert "fails_at" in str(error.__cause__)  # the traceback as the worker saw it


def test_type_errors_name_the_task_and_the_input_as_in_a_local_call():
    (error,) = list(flytekit_ext.map(square, ["seven"], processes=2))
    assert isinstance(error, TypeTransformerFailedError)
    assert "process_tasks.square" in str(error) and "argument 'x'" in str(error)


def test_the_first_failure_stops_the_other_items_and_their_workers():
    before = _child_pids()
    started = time.monotonic()
    with pytest.raises(ValueError, match="item 0 failed"):
        list(flytekit_ext.map(slow_pid, range(6), [0] * 6, processes=2, return_exceptions=False))
    # The 120 s items were stopped, not waited for; the bound leaves room for slow worker start-up on a loaded host.
    assert time.monotonic() - started < 60
    assert _wait_for_no_children(before) == set()


def test_leaving_early_stops_the_items_in_flight_and_their_workers():
    before = _child_pids()
    with flytekit_ext.map(slow_pid, range(1, 6), [99] * 5, processes=2, concurrency=2) as results:
        iterator = iter(results)
        assert iterator is results
    assert _wait_for_no_children(before) == set()


@pytest.mark.parametrize("bad", [0, -1, "2", 1.5])
def test_bad_values_of_processes_are_clear_errors(bad):
    with pytest.raises(ValueError, match=r"map of square: processes must be True .* got"):
        flytekit_ext.map(square, [1], processes=bad)


def test_processes_in_a_workflow_body_is_an_error_naming_the_option():
    @workflow
    def wf(xs: typing.List[int]) -> typing.List[int]:
        return flytekit_ext.map(square, xs, processes=2)

    with pytest.raises(ValueError, match="processes= applies to local runs only"):
        wf.compile()


@eager
async def squares_in_processes(n: int) -> typing.List[int]:
    return [r async for r in flytekit_ext.map.aio(process_tasks.square, range(n), processes=2)]


def test_processes_in_a_local_eager_task():
    assert asyncio.run(squares_in_processes(n=5)) == [0, 1, 4, 9, 16]


SCRIPT = textwrap.dedent(
    """
    import sys
    import flytekit_ext

    @flytekit_ext.task
    def cube(x: int) -> int:
        return x * x * x

    if __name__ == "__main__":
        print(list(flytekit_ext.map(cube, range(5), processes=2)))
    """
)


def test_a_task_defined_in_a_script_run_as_main(tmp_path):
    (tmp_path / "cubes.py").write_text(SCRIPT)
    done = subprocess.run(
        [sys.executable, "cubes.py"], cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[0, 1, 8, 27, 64]"


INTERRUPTED = textwrap.dedent(
    """
    import time
    import flytekit_ext

    @flytekit_ext.task
    def sleeps(x: int) -> int:
        time.sleep(120)
        return x

    if __name__ == "__main__":
        print("mapping", flush=True)
        list(flytekit_ext.map(sleeps, range(4), processes=2))
    """
)


def test_ctrl_c_stops_a_process_map_at_once_and_leaves_no_worker(tmp_path):
    (tmp_path / "sleepy.py").write_text(INTERRUPTED)
    process = subprocess.Popen(
        [sys.executable, "sleepy.py"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "mapping"
    deadline = time.monotonic() + 120
    workers: typing.Set[int] = set()
    while len(workers) < 2 and time.monotonic() < deadline:  # the workers are up and running items
        workers = {int(p) for c in Path(f"/proc/{process.pid}/task").glob("*/children") for p in c.read_text().split()}
        time.sleep(0.2)
    time.sleep(3)
    sent = time.monotonic()
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert time.monotonic() - sent < 20, stderr  # the items sleep 120 s
    assert "flytekit_ext: SIGINT: stopping map of sleeps" in stderr
    deadline = time.monotonic() + 10  # killed workers are gone once the kernel has reaped them
    while (left := [pid for pid in workers if Path(f"/proc/{pid}").exists()]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in left] == []
