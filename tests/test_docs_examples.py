"""The seed's Flyte 2 examples, adapted to flytekit_ext as the migration table says, run as tests."""

import asyncio
import importlib
import subprocess
import sys
import time
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"


@pytest.fixture
def example(monkeypatch):
    monkeypatch.syspath_prepend(str(EXAMPLES))

    def load(name):
        return importlib.import_module(name)

    return load


def test_forward(example):
    module = example("seed_forward")
    assert asyncio.run(module.outer_task(x=0)) == 12
    assert module.sync_outer_task(x=0) == 12
    assert module.sync_inner_task.forward(x=1) == 2


def test_tasks_and_functions_as_arguments(example):
    module = example("seed_callables")
    assert asyncio.run(module.main()) == [6, 7]


def test_short_names(example):
    module = example("seed_short_name")
    assert module.some_task.short_name == "my_task"
    assert module.main.short_name == "entrypoint"
    assert asyncio.run(module.main()) == "Hello, Flyte!Hello, Flyte!"


def test_sync_task_calls_asyncio_run_with_nest_asyncio_applied():
    # nest_asyncio patches asyncio for the whole process, so this example runs in its own interpreter.
    code = "import seed_nest_asyncio as m; print(m.sync_task())"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=EXAMPLES, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "done"


def test_aio_on_a_sync_task(example):
    module = example("seed_aio")
    assert asyncio.run(module.async_task(x=3)) == "Processed 3"


def test_map_aio_over_a_sync_task(example):
    module = example("seed_map_aio")
    assert asyncio.run(module.async_main(n=4)) == ["Task 0", "Task 1", "Task 2", "Task 3"]


def test_anyio_task_group(example):
    module = example("seed_anyio")
    assert asyncio.run(module.batch_process(items=[1, 2, 3])) == [2, 4, 6]


def test_pipeline_example(example):
    module = example("pipeline")
    started = time.perf_counter()
    assert asyncio.run(module.pipeline(n=10)) == 295
    assert time.perf_counter() - started < 1.0  # ten 0.1 s increments run together
    assert module.square_then_increment(x=3) == 10
