"""``map(..., processes=...)`` in a process that runs no other thread: workers forked from it, ready at once.

Each test runs a script of its own: the test process itself runs threads (pytest-xdist's), where a map takes
loky's spawned workers instead (tests/test_map_processes.py).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time

import pytest

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="workers are forked on Linux only")

SCRIPT = textwrap.dedent(
    """
    import multiprocessing, os, sys, threading, time
    import psutil
    from flytekit_ext import map, task

    @task
    def where(x: int) -> str:
        return multiprocessing.current_process().name

    @task
    def fails_on(x: int) -> int:
        if x == 3:
            raise ValueError(f"item {x} failed")
        time.sleep(0.2)
        return x

    @task
    def sleeps(x: int) -> int:
        print("started", flush=True)
        time.sleep(120)
        return x

    def children() -> list:
        return [p for p in psutil.Process().children(recursive=True) if p.status() != psutil.STATUS_ZOMBIE]

    {body}
    """
)


def _run(body: str, timeout: float = 120) -> subprocess.CompletedProcess:
    code = SCRIPT.replace("{body}", textwrap.dedent(body).strip())
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout)


def test_a_fresh_processs_first_map_runs_its_items_in_forked_workers_that_end_with_it():
    done = _run(
        """
        names = set(map(where, range(6), processes=2))
        print(sorted(name.split("-")[0] for name in names))
        print("left running:", len(children()))
        """
    )
    assert done.returncode == 0, done.stderr
    assert "['ForkPoolWorker'" in done.stdout and "LokyProcess" not in done.stdout
    assert "left running: 0" in done.stdout


def test_with_another_thread_running_the_workers_are_spawned_instead():
    done = _run(
        """
        waiting = threading.Event()
        threading.Thread(target=waiting.wait, daemon=True).start()
        print(sorted({name.split("-")[0] for name in map(where, range(4), processes=2)}))
        waiting.set()
        """
    )
    assert done.returncode == 0, done.stderr
    assert "['LokyProcess']" in done.stdout


def test_the_first_failure_stops_the_map_with_the_workers_traceback_and_ends_the_workers():
    done = _run(
        """
        try:
            list(map(fails_on, range(8), processes=2, return_exceptions=False))
        except ValueError as error:
            print("raised:", error, "| cause:", type(error.__cause__).__name__)
        print("left running:", len(children()))
        """
    )
    assert done.returncode == 0, done.stderr
    assert "fails_on':\n  item 3 failed | cause: RemoteTraceback" in done.stdout
    assert "left running: 0" in done.stdout


def test_a_map_left_early_ends_its_workers():
    done = _run(
        """
        results = map(where, range(100), processes=2)
        next(results)
        results.close()
        print("left running:", len(children()))
        """
    )
    assert done.returncode == 0, done.stderr
    assert "left running: 0" in done.stdout


def test_items_run_as_top_level_calls_even_when_the_map_is_made_in_an_eager_task():
    done = _run(
        """
        import asyncio
        from flytekit_ext import eager

        import typing

        @eager
        async def parent(n: int) -> typing.List[str]:
            results = map.aio(fails_on, range(n), processes=2)
            return [str(r) if not isinstance(r, Exception) else type(r).__name__ async for r in results]

        print(asyncio.run(parent(n=4)))
        """
    )
    assert done.returncode == 0, done.stderr
    assert "['0', '1', '2', 'ValueError']" in done.stdout  # the task's own error, as from a call made at top level


def test_ctrl_c_stops_a_forked_map_at_once_and_ends_its_workers():
    code = SCRIPT.replace(
        "{body}",
        textwrap.dedent(
            """
            try:
                list(map(sleeps, range(4), processes=2))
            except KeyboardInterrupt:
                print("caught KeyboardInterrupt", flush=True)
                print("left running:", len(children()), flush=True)
                raise
            """
        ).strip(),
    )
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    while "started" not in process.stdout.readline():
        assert process.poll() is None
    time.sleep(0.3)
    sent = time.monotonic()
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert time.monotonic() - sent < 20, stderr  # the items sleep 120 s
    assert "caught KeyboardInterrupt" in stdout and "left running: 0" in stdout, (stdout, stderr)
    assert process.returncode == -signal.SIGINT
    assert "Traceback" not in stderr, stderr  # neither the map's nor a worker's
