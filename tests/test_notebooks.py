"""flytekit_ext in a Jupyter notebook: docs/examples/notebook.ipynb run through a real IPython kernel (nbclient),
and a kernel interrupted while a cell runs a map or an eager task.

A kernel runs each cell on an event loop that is already running, so these are the calls a script never makes:
a sync task called where a loop runs, an eager task awaited at top level, a map consumed in a cell.
"""

from __future__ import annotations

import time
import typing
from pathlib import Path

import nbformat
import psutil
import pytest
from jupyter_client.manager import start_new_kernel
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parent.parent / "docs" / "examples" / "notebook.ipynb"

pytestmark = pytest.mark.xdist_group("notebooks")  # each test starts a kernel; one at a time is enough

#: What each code cell of the notebook shows: the value of its last line, and nothing else (no warning, no log).
SHOWN = {
    "define": None,
    "sync-call": "2",
    "await-eager": "[0, 2, 4, 6, 8]",
    "sync-asyncio-run": "40",
    "map": "[1, 2, 3, 4, 5]",
    "map-aio": "[0, 2, 4, 6, 8]",
    "map-processes": "[0, 1, 7, 2, 5, 8, 16, 3, 19, 6]",
}


def _shown(cell: typing.Any) -> typing.List[str]:
    """Every output of a cell, as text."""
    shown = []
    for output in cell.outputs:
        if output.output_type == "stream":
            shown.append(f"[{output.name}] {output.text}")
        elif output.output_type == "error":
            shown.append(f"[error] {output.ename}: {output.evalue}")
        else:
            shown.append(output.get("data", {}).get("text/plain", repr(output)))
    return shown


def test_the_notebook_runs_in_a_kernel_and_shows_only_its_results(tmp_path):
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        notebook, kernel_name="python3", timeout=300, resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    cells = {cell.id: cell for cell in notebook.cells if cell.cell_type == "code"}
    assert set(cells) == set(SHOWN)
    for cell_id, value in SHOWN.items():
        # A sync call in a cell, where a loop runs but nothing waits on it: no ".aio" warning, nor anything else.
        assert _shown(cells[cell_id]) == ([] if value is None else [value]), cell_id


# --- interrupting the kernel ----------------------------------------------------------------------------------

DEFINE = """
import asyncio, pathlib, time
import flytekit_ext
from flytekit_ext import eager, task

@task
def sleeps(x: int) -> int:
    pathlib.Path({started!r}).joinpath(str(x)).touch()
    time.sleep(30)
    return x

@eager
async def sleeps_together(n: int) -> int:
    return sum(await asyncio.gather(*(sleeps.aio(x=i) for i in range(n))))
"""

INTERRUPTED_CELLS = [
    # (a cell, what the cell raises, what the line printed names)
    ("list(flytekit_ext.map(sleeps, range(3)))", "KeyboardInterrupt", "map of sleeps"),
    ("list(flytekit_ext.map(sleeps, range(3), processes=2))", "KeyboardInterrupt", "map of sleeps"),
    # ipykernel stops a cell that awaits by cancelling it (an async cell has no other way to stop).
    ("await sleeps_together(n=3)", "CancelledError", "eager task sleeps_together"),
]


class Kernel:
    """A kernel and a client for it: runs cells, interrupts them."""

    def __init__(self, cwd: Path) -> None:
        self.manager, self.client = start_new_kernel(kernel_name="python3", cwd=str(cwd))

    def run(self, code: str, interrupt_when: typing.Optional[typing.Callable[[], bool]] = None) -> typing.Any:
        """Run ``code`` in a cell; with ``interrupt_when``, interrupt the kernel once it answers true. The cell's
        outputs, its error's name (or None), and the seconds from the interrupt to the cell's end."""
        message = self.client.execute(code)
        interrupted_at = None
        if interrupt_when is not None:
            deadline = time.monotonic() + 120
            while not interrupt_when():
                assert time.monotonic() < deadline, "the cell's bodies never started"
                time.sleep(0.05)
            time.sleep(0.3)
            interrupted_at = time.monotonic()
            self.manager.interrupt_kernel()
        outputs: typing.List[str] = []
        while True:
            published = self.client.get_iopub_msg(timeout=120)
            if published["parent_header"].get("msg_id") != message:
                continue
            kind, content = published["msg_type"], published["content"]
            if kind == "status" and content["execution_state"] == "idle":
                break
            if kind == "stream":
                outputs.append(content["text"])
        took = None if interrupted_at is None else time.monotonic() - interrupted_at
        while True:  # the reply says how the cell ended (the traceback itself is shown as rich's display)
            reply = self.client.get_shell_msg(timeout=120)
            if reply["parent_header"].get("msg_id") == message:
                break
        error = reply["content"].get("ename") if reply["content"]["status"] == "error" else None
        return outputs, error, took

    def close(self) -> None:
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)


@pytest.fixture
def kernel(tmp_path):
    kernel = Kernel(tmp_path)
    yield kernel
    kernel.close()


@pytest.mark.parametrize("cell, raised, named", INTERRUPTED_CELLS)
def test_interrupting_the_kernel_stops_the_cell_at_once_and_the_kernel_runs_on(kernel, tmp_path, cell, raised, named):
    started = tmp_path / "started"
    started.mkdir()
    outputs, error, _ = kernel.run(DEFINE.format(started=str(started)))
    assert error is None, outputs
    pid = int(kernel.run("import os; print(os.getpid())")[0][0])

    workers: typing.List[psutil.Process] = []

    def bodies_started() -> bool:
        if not any(started.iterdir()):
            return False
        # A process map's workers, seen while they run. (Not loky's and multiprocessing's resource trackers: they
        # run no task, and live as long as the kernel, as with any use of multiprocessing.)
        children = psutil.Process(pid).children(recursive=True)
        workers.extend(child for child in children if "resource_tracker" not in " ".join(child.cmdline()))
        return True

    outputs, error, took = kernel.run(cell, interrupt_when=bodies_started)
    if "processes" in cell:
        assert workers, "the map's worker processes were not seen"
    assert took < 10.0, outputs  # the bodies would sleep 30 s more: one interrupt is enough
    assert error == raised, outputs
    lines = [line for output in outputs for line in output.splitlines() if line.startswith("flytekit_ext: SIGINT")]
    assert len(lines) == 1 and named in lines[0], outputs  # in the cell's own output
    psutil.wait_procs(workers, timeout=5)
    assert not [worker for worker in workers if worker.is_running() and worker.status() != psutil.STATUS_ZOMBIE]
    assert kernel.run("1 + 1")[1] is None  # the kernel is still there, and the next cell runs
