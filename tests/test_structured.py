"""Structured concurrency: nothing a map or an eager run starts outlives it, and Ctrl-C stops at once.

Each test records when item bodies start and end, and checks what is still running at the moment the map or
the eager call returns or raises: asyncio tasks (``asyncio.all_tasks()``) and synchronous bodies on worker
threads (started but not ended).
"""

import asyncio
import gc
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import typing
import warnings

import psutil
import pytest

import flytekit_ext
from flytekit_ext import eager, errors, task
from flytekit_ext._core.workers import DaemonThreadPool


class Bodies:
    """Which item bodies started and which ended, across threads."""

    def __init__(self) -> None:
        self.started: typing.Set[int] = set()
        self.ended: typing.Set[int] = set()
        self._lock = threading.Lock()

    def start(self, x: int) -> None:
        with self._lock:
            self.started.add(x)

    def end(self, x: int) -> None:
        with self._lock:
            self.ended.add(x)

    @property
    def running(self) -> typing.Set[int]:
        with self._lock:
            return self.started - self.ended


seen = Bodies()


@task
def slow_sync(x: int) -> int:
    seen.start(x)
    try:
        if x == 0:
            time.sleep(0.1)
            raise ValueError("item 0 failed")
        time.sleep(0.6)
        return x
    finally:
        seen.end(x)


@task
async def slow_async(x: int) -> int:
    seen.start(x)
    try:
        if x == 0:
            await asyncio.sleep(0.1)
            raise ValueError("item 0 failed")
        await asyncio.sleep(0.6)
        return x
    finally:
        seen.end(x)


@pytest.fixture(autouse=True)
def fresh_record():
    global seen
    seen = Bodies()
    yield


def _other_tasks() -> typing.Set[asyncio.Task]:
    return asyncio.all_tasks() - {asyncio.current_task()}


# --- map ----------------------------------------------------------------------------------------------------


def test_a_failing_sync_map_raises_only_once_every_started_item_has_stopped():
    with pytest.raises(ValueError, match="item 0 failed"):
        list(flytekit_ext.map(slow_sync, range(30), concurrency=5, return_exceptions=False))
    # The window grows to 5 within milliseconds (on a loaded machine it may not get there before item 0 fails);
    # items after it would start only as items end, and none may start once item 0 has failed.
    started = set(seen.started)
    assert 0 in started and started <= set(range(5))
    assert seen.running == set()  # and every started one had ended when the map raised
    time.sleep(0.8)
    assert seen.started == started


def test_a_failing_async_map_cancels_the_items_in_flight_before_it_raises():
    async def main() -> None:
        with pytest.raises(ValueError, match="item 0 failed"):
            async for _ in flytekit_ext.map.aio(slow_async, range(30), concurrency=5, return_exceptions=False):
                pass
        assert _other_tasks() == set()

    asyncio.run(main())
    assert seen.started == set(range(5))
    assert seen.running == set()  # cancelled items ran their finally
    assert seen.ended == seen.started


def test_leaving_a_sync_map_early_waits_for_the_items_in_flight():
    with flytekit_ext.map(slow_sync, range(1, 30), concurrency=4) as results:
        assert next(results) == 1
    assert seen.running == set()
    assert len(seen.started) <= 1 + 4 + 1  # what was in flight, not the rest of the input


def test_aclose_of_an_async_map_leaves_nothing_running():
    async def main() -> None:
        async with flytekit_ext.map.aio(slow_async, range(1, 30), concurrency=4) as results:
            async for first in results:
                assert first == 1
                break
        assert _other_tasks() == set()
        assert seen.running == set()

    asyncio.run(main())


def test_a_sync_map_in_async_code_waits_for_worker_threads_when_cancelled():
    async def main() -> None:
        consume = asyncio.ensure_future(flytekit_ext.map.aio(slow_sync, range(1, 5)).__anext__())
        await asyncio.sleep(0.2)
        consume.cancel()
        with pytest.raises(asyncio.CancelledError):
            await consume

    asyncio.run(main())
    time.sleep(0.05)
    assert seen.started and seen.running == set()


# --- local eager --------------------------------------------------------------------------------------------


@eager
async def gathers_and_fails(n: int) -> typing.List[int]:
    return list(await asyncio.gather(*(slow_async(x=i) for i in range(n))))


@eager
async def gathers_sync_and_fails(n: int) -> typing.List[int]:
    return list(await asyncio.gather(*(slow_sync.aio(x=i) for i in range(n))))


@eager
async def returns_early(n: int) -> int:
    for i in range(1, n + 1):
        asyncio.ensure_future(slow_async(x=i))  # started, never awaited
    await asyncio.sleep(0.05)
    return n


def test_a_failing_child_ends_its_siblings_before_the_eager_call_raises():
    async def main() -> None:
        with pytest.raises(errors.RuntimeUserError, match="item 0 failed") as raised:
            await gathers_and_fails(n=20)
        assert isinstance(raised.value.__cause__, ValueError)
        assert any("slow_async" in note for note in raised.value.__notes__)  # the error names the failed child
        assert _other_tasks() == set()  # the caller's loop runs on: no sibling is left on it

    asyncio.run(main())
    assert len(seen.started) == 20 and seen.running == set()


def test_sync_siblings_on_worker_threads_are_waited_for():
    with pytest.raises(errors.RuntimeUserError, match="item 0 failed"):
        asyncio.run(gathers_sync_and_fails(n=4))
    # On a loaded machine a sibling's worker thread may not have started its body in the 0.1 s before item 0
    # fails; one that did must have ended.
    assert 0 in seen.started and seen.started <= set(range(4)) and seen.running == set()


def test_children_an_eager_body_did_not_wait_for_are_cancelled_when_it_returns():
    async def main() -> None:
        assert await returns_early(n=3) == 3
        assert _other_tasks() == set()

    asyncio.run(main())
    assert seen.started == {1, 2, 3} and seen.running == set()


# --- Ctrl-C and SIGTERM -------------------------------------------------------------------------------------

INTERRUPTED = textwrap.dedent(
    """
    import asyncio, os, sys, time
    import flytekit_ext
    from flytekit_ext import eager, errors, task

    @task
    def sleeps(x: int) -> int:
        print("started", flush=True)
        for _ in range(1200):  # 120 s, each tenth of a second leaving a mark while the body still runs
            time.sleep(0.1)
            with open({heartbeat!r}, "a") as beats:
                beats.write(".")
        return x

    @eager
    async def on_threads(n: int) -> int:
        return sum(await asyncio.gather(*(sleeps.aio(x=i) for i in range(n))))

    @eager
    async def blocking(n: int) -> int:
        return sleeps(x=n)  # a direct call: the event loop's own thread waits for the worker thread

    @eager
    async def process_map_in_eager(n: int) -> int:
        return sum([x async for x in flytekit_ext.map.aio(sleeps, range(n), processes=2)])

    def thread_map(n: int) -> int:
        return sum(flytekit_ext.map(sleeps, range(n)))

    def process_map(n: int) -> int:
        return sum(flytekit_ext.map(sleeps, range(n), processes=2))

    if __name__ == "__main__":
        entry = {entry}
        try:
            result = entry(n=3)
            if asyncio.iscoroutine(result):
                asyncio.run(result)
        except BaseException as error:
            print("caught", type(error).__name__, flush=True)
            raise
    """
)


def _alive(process: psutil.Process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


class Interrupted(typing.NamedTuple):
    took: float  # from the signal to the end of the process
    done: subprocess.CompletedProcess
    descendants: typing.List[psutil.Process]  # the processes it had started, seen just before the signal
    beats_after_exit: int  # marks the bodies left after the process had ended: a body still running somewhere


def _interrupt(tmp_path, entry: str, signum: int, whole_group: bool = True) -> Interrupted:
    """Run ``entry`` in a fresh process, signal it once its bodies run, and watch what is left.

    ``whole_group``: the signal goes to the process group, as a terminal sends Ctrl-C (worker processes get it
    too); otherwise to the process alone, as ``kill -INT`` does.
    """
    heartbeat = tmp_path / "heartbeat"
    script = tmp_path / "interrupted.py"
    script.write_text(INTERRUPTED.format(entry=entry, heartbeat=str(heartbeat)))
    process = subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        start_new_session=True,  # its own process group, as a shell gives a command it runs
    )
    assert process.stdout is not None
    # flytekit's logger may print before it, and three threads printing at once can run their lines together.
    while "started" not in process.stdout.readline():
        assert process.poll() is None
    time.sleep(0.3)
    descendants = psutil.Process(process.pid).children(recursive=True)
    sent = time.monotonic()
    if whole_group:
        os.killpg(process.pid, signum)
    else:
        process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=60)
    took = time.monotonic() - sent
    psutil.wait_procs(descendants, timeout=5)
    beats = heartbeat.stat().st_size if heartbeat.exists() else 0
    time.sleep(0.5)  # five beats of a body still running
    beats_after = (heartbeat.stat().st_size if heartbeat.exists() else 0) - beats
    done = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    return Interrupted(took, done, descendants, beats_after)


CTRL_C_CASES = [
    # (what runs, how the signal comes, what the one line names)
    ("on_threads", True, "eager task on_threads"),
    ("blocking", True, "eager task blocking"),
    ("thread_map", True, "map of sleeps"),
    ("process_map", True, "map of sleeps"),
    ("process_map", False, "map of sleeps"),
    ("process_map_in_eager", True, "eager task process_map_in_eager"),
]


@pytest.mark.parametrize("entry, whole_group, named", CTRL_C_CASES)
def test_ctrl_c_raises_keyboard_interrupt_at_once_saying_what_it_stopped_and_leaves_nothing_running(
    tmp_path, entry, whole_group, named
):
    took, done, descendants, beats_after_exit = _interrupt(tmp_path, entry, signal.SIGINT, whole_group)
    # The bodies would run 120 s more: one Ctrl-C is enough. (About a second on a quiet machine; the bound leaves
    # room for a shared one, where starting and ending worker processes can take a few seconds.)
    assert took < 20.0, done.stderr  # the bodies run for 120 s
    assert "caught KeyboardInterrupt" in done.stdout, done.stdout  # what the program sees (flytekit: SystemExit)
    assert done.returncode == -signal.SIGINT  # uncaught: Python ends the process as SIGINT does (status 130)
    # The one line says it all: no traceback, ours or a worker's or loky's (InvalidStateError: CANCELLED).
    assert "Traceback" not in done.stderr and "╭" not in done.stderr and "Error" not in done.stderr, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("flytekit_ext: SIGINT")]
    assert len(lines) == 1 and named in lines[0], done.stderr
    if entry.startswith("process_map"):
        assert descendants, "the map's worker processes were not seen"
    assert not [child for child in descendants if _alive(child)], "a worker process outlived the interrupt"
    assert beats_after_exit == 0, "a body kept running after the process had ended"


def test_sigterm_stops_a_local_eager_run_at_once(tmp_path):
    took, done, descendants, beats_after_exit = _interrupt(tmp_path, "on_threads", signal.SIGTERM, False)
    assert took < 20.0, done.stderr  # the bodies run for 120 s
    assert "caught SystemExit" in done.stdout
    assert done.returncode == 128 + signal.SIGTERM
    assert "flytekit_ext: SIGTERM: stopping eager task on_threads (3 child calls running)" in done.stderr
    assert beats_after_exit == 0


# --- resources ----------------------------------------------------------------------------------------------
# (The warning for a sync task called without .aio in async code: tests/test_blocking_warning.py.)


def test_a_threads_own_event_loop_is_closed_when_the_thread_ends():
    @task
    def total(xs: typing.List[int]) -> int:  # a list input converts on an event loop
        return sum(xs)

    results = []
    worker = threading.Thread(target=lambda: results.append(total(xs=[1, 2, 3])))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        worker.start()
        worker.join()
        gc.collect()
    assert results == [6]
    assert not [w for w in caught if issubclass(w.category, ResourceWarning) and "event loop" in str(w.message)]


def test_worker_threads_do_not_hold_up_interpreter_exit():
    code = "import flytekit_ext._core.loops as l, time; l.workers.submit(time.sleep, 120); print('ok')"
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180)
    # The pool's thread sleeps 120 s; the bound leaves room for a slow import on a loaded machine.
    assert done.stdout.strip() == "ok" and time.monotonic() - started < 60
    assert os.environ.get("PYTHONWARNINGS") is None or done.returncode == 0


def test_work_after_a_full_pool_went_idle_still_runs():
    # More work at once than the pool has threads, then every thread ends idle: work submitted afterwards must
    # still find a thread. (A fresh-clone test run hung here: an eager task's direct call of a sync task waited
    # forever for a worker thread that had ended.)
    pool = DaemonThreadPool(max_workers=2, name="test-pool", idle_seconds=0.05)
    for work in [pool.submit(time.sleep, 0.01) for _ in range(10)]:
        work.result(timeout=10)
    deadline = time.monotonic() + 10
    while pool.threads and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pool.threads == 0
    assert pool.submit(lambda: "ran").result(timeout=10) == "ran"


def test_work_submitted_while_the_last_thread_ends_for_being_idle_still_runs():
    # The moment a thread that was idle too long decides to end is widened here to 0.3 s: work submitted meanwhile
    # must start a thread of its own (the pool once counted the ending thread as one that would take it, and the
    # work waited for ever).
    pool = DaemonThreadPool(max_workers=1, name="ending", idle_seconds=0.02)
    assert pool.submit(lambda: 1).result(timeout=10) == 1
    idle_tokens = pool._idle
    deciding = threading.Event()

    class SlowToDecide:
        def acquire(self, blocking: bool = True) -> bool:
            taken = idle_tokens.acquire(blocking)
            if taken and not blocking and threading.current_thread().name.startswith("ending"):
                deciding.set()
                time.sleep(0.3)
            return taken

        def release(self) -> None:
            idle_tokens.release()

    pool._idle = SlowToDecide()
    assert deciding.wait(timeout=10)  # the idle thread is deciding to end
    assert pool.submit(lambda: 2).result(timeout=10) == 2
