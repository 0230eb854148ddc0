"""The documentation site's own examples, run as tests, and the source excerpts its pages include.

The pages include whole example files (pymdownx.snippets), so what a page shows is what runs here. The
seed examples the pages also include are run by test_docs_examples.py.
"""

import asyncio
import importlib
import math
import re
import time
from importlib import metadata
from pathlib import Path

import pytest
from flyteidl.core.workflow_pb2 import ArrayNode
from flytekit.configuration import Image, ImageConfig, SerializationSettings
from flytekit.core.array_node_map_task import ArrayNodeMapTask

import flytekit_ext
from flytekit_ext._calls.in_process import InProcessRunner
from flytekit_ext._calls.node import NodeRunner
from flytekit_ext._calls.route import RUNNERS
from flytekit_ext._core.contexts import current_context
from flytekit_ext._core.where import where
from tools import docs_sync

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
EXAMPLES = DOCS / "examples"

SETTINGS = SerializationSettings(
    project="p", domain="d", version="v", image_config=ImageConfig(default_image=Image(name="i", fqn="img", tag="t"))
)


@pytest.fixture
def example(monkeypatch):
    monkeypatch.syspath_prepend(str(EXAMPLES))
    return importlib.import_module


# --- the pages show what exists --------------------------------------------------------------------------------


def test_code_blocks_show_their_sources_as_they_are():
    # Pages show code inline (readable on GitHub and in an editor); each block names its source file.
    blocks = [block for page in docs_sync.pages() for block in docs_sync.shown_blocks(page)]
    assert len(blocks) >= 20
    stale = [block.label for block in docs_sync.stale()]
    assert not stale, "run: python tools/docs_sync.py --write"


def test_no_page_uses_an_include_directive():
    assert not [page for page in docs_sync.pages() if "--8<--" in page.read_text()]


# --- index, getting started ---------------------------------------------------------------------------------


def test_convert_project(example):
    module = example("convert_project")
    assert module.report(values=[1, -2, 3]) == "total 6"
    assert module.report(values=[]) == "total 0"
    assert module.report_plan() == "total 6"
    assert module.total_of(values=[2, -5]) == 3
    assert isinstance(module.clean, flytekit_ext.PythonFunctionTask)


def test_task_image(example):
    module = example("task_image")
    assert module.count_words(text="a b a c") == 3
    pin = f"flytekit-ext=={metadata.version('flytekit-ext')}"
    assert module.count_words.container_image.packages == ["pandas", pin]
    assert module.image.packages == ["pandas"]


# --- architecture -------------------------------------------------------------------------------------------


def test_routing(example):
    module = example("routing")
    assert isinstance(RUNNERS[where(current_context())], InProcessRunner)
    assert module.add_one(x=1) == 2
    assert module.add_two(x=1) == 3
    assert [node.flyte_entity for node in module.add_two_wf.nodes] == [module.add_one, module.slow_add_one]
    assert module.add_two_wf(x=1) == 3
    started = time.perf_counter()
    assert asyncio.run(module.add_many(n=10)) == 1 + sum(range(1, 11))
    assert time.perf_counter() - started < 0.45  # ten 0.05 s calls together, not one after another


def test_compiling_a_workflow_uses_the_compile_runner():
    seen = []

    @flytekit_ext.workflow
    def wf() -> None:
        seen.append(RUNNERS[where(current_context())])

    wf.compile()  # flytekit compiles a workflow when it is first used, not when it is decorated
    assert isinstance(seen[0], NodeRunner)


# --- tasks --------------------------------------------------------------------------------------------------


def test_task_classes(example):
    module = example("task_classes")
    assert type(module.tokenize) is flytekit_ext.PythonFunctionTask
    assert type(module.count_words) is flytekit_ext.AsyncPythonFunctionTask
    assert type(module.count_each) is flytekit_ext.PythonFunctionTask
    assert type(module.total_words) is flytekit_ext.EagerAsyncPythonFunctionTask
    assert isinstance(module.shout, flytekit_ext.PythonInstanceTask)
    assert (module.count_words.short_name, module.total_words.short_name) == ("count", "total")
    assert module.count_words.metadata.retries == 3 and module.count_words.metadata.cache
    assert module.tokenize(text="a b") == ["a", "b"]
    assert asyncio.run(module.count_words(text="a b c")) == 3
    assert module.count_each(texts=["a", "a b"]) == [1, 2]
    assert asyncio.run(module.total_words(texts=["a", "a b"])) == 3
    assert module.shout(text="hi") == "HI"


def test_the_command_on_the_tasks_page(example):
    module = example("task_classes")
    command = module.tokenize.get_command(SETTINGS)
    page = (DOCS / "tasks.md").read_text()
    shown = re.search(r"^pyflyte-execute .*?task-name tokenize$", page, re.MULTILINE | re.DOTALL).group(0)
    assert shown.split() == command
    assert module.shout.get_command(SETTINGS)[-4:] == ["task-module", "task_classes", "task-name", "shout"]


def test_plugin_tasks(example):
    from flytekitplugins.dask.task import DaskTask

    module = example("plugin_tasks")
    task = module.count_tokens
    assert isinstance(task, DaskTask) and isinstance(task, flytekit_ext.PythonFunctionTask)
    assert task.task_type == "dask" and task.short_name == "tokens"
    assert task(text="a b") == 2
    assert task.forward(text="a b c") == 3
    assert task.override(short_name="again")(text="x") == 1
    assert list(flytekit_ext.map(task, ["a", "a b"])) == [1, 2]
    assert module.count_all(texts=["a", "a b c"]) == [1, 3]
    node = module.count_all.nodes[0]
    assert node.metadata.name == "tokens" and node.flyte_entity.execution_mode == ArrayNode.FULL_STATE


def test_typed_calls(example):
    # The values the example's annotations claim; tests/test_typed_calls.py checks the annotations themselves.
    module = example("typed_calls")
    assert asyncio.run(module.sums(n=2)) == [2, 3, 4, 5, 1, 2]
    assert module.with_ten([1, 2]) == [11, 12]


def test_differences(example):
    module = example("differences")
    assert [type(n.flyte_entity).__name__ for n in module.uses_async.nodes] == [
        "AsyncPythonFunctionTask",
        "EagerAsyncPythonFunctionTask",
    ]
    assert module.uses_async(x=1) == 200
    assert module.outer(x=1) == 4
    with pytest.raises(TypeError, match=r"Task 'differences.needs_input' is missing required input\(s\): 'x' \(int\)"):
        module.needs_input()
    with pytest.raises(
        TypeError,
        match=r"Eager task 'differences.forgets_to_await' returned a coroutine that it never awaited "
        r"\(coroutine 'differences.fetch\(\.\.\.\)'\); await it",
    ):
        asyncio.run(module.forgets_to_await(x=1))


# --- patterns -----------------------------------------------------------------------------------------------


def test_forward_details(example):
    module = example("forward_details")
    assert module.normalize.forward([1.0, 3.0]) == [0.25, 0.75]
    assert module.normalize_all(batches=[[1.0, 1.0], [1.0, 3.0]]) == [[0.5, 0.5], [0.25, 0.75]]


def test_forward_in_a_workflow_is_a_runtime_error(example):
    module = example("forward_details")
    with pytest.raises(RuntimeError, match="forward"):

        @flytekit_ext.workflow
        def wf(values: list[float]) -> list[float]:
            return module.normalize.forward(values)

        wf.compile()


def test_aio_concurrent(example):
    module = example("aio_concurrent")
    asyncio.run(module.fetch_all(n=1))  # warm up: the first run imports and starts threads
    started = time.perf_counter()
    assert asyncio.run(module.fetch_all(n=10)) == [*range(10), 20]
    assert time.perf_counter() - started < 1.2  # ten 0.2 s sleeps on worker threads, not 2 s in a row


def test_a_direct_sync_call_in_async_code_may_use_asyncio_run(example):
    # What the .aio and async-interop pages say: even without .aio the sync body runs off the loop's thread.
    module = example("aio_concurrent")

    @flytekit_ext.eager
    async def direct(x: int) -> int:
        return module.uses_asyncio_run(x=x)

    assert asyncio.run(direct(x=1)) == asyncio.run(module.uses_asyncio_run.aio(x=1))


def test_override_options(example):
    module = example("override_options")
    first, second = module.sweep.nodes
    assert first.metadata.name == "train"
    assert second.metadata.name == "train-high"
    assert second.metadata.retries.retries == 3
    assert second.metadata.timeout.total_seconds() == 7200
    assert module.train_model.metadata.retries == 0  # the task itself is unchanged
    assert module.sweep(low=0.5, high=0.25) == [2.0, 4.0]
    assert asyncio.run(module.sweep_eager(rates=[0.5, 0.25])) == [2.0, 4.0]


def test_override_keys_on_the_page_are_the_accepted_ones():
    from flytekit_ext._calls.overrides import NODE_OVERRIDE_KEYS

    page = (DOCS / "patterns" / "short-name-and-override.md").read_text()
    listed = page.split("except `name`:", 1)[1].split(". An unknown key", 1)[0]
    assert set(re.findall(r"`(\w+)`", listed)) == set(NODE_OVERRIDE_KEYS)


def test_callables_sync(example):
    module = example("callables_sync")
    assert module.apply_twice(x=2, fn=module.square) == 16
    assert module.apply_twice(x=2, fn=module.offset_by(10)) == 22
    assert module.squares_twice(x=2) == 16


def test_map_patterns(example):
    module = example("map_patterns")
    first, nan, last = module.safe_inverses(xs=[1, 0, 4])
    assert (first, last) == (1.0, 0.25) and math.isnan(nan)
    assert asyncio.run(module.first_pages(n=20)) == [f"page {i}" for i in range(20)]
    assert asyncio.run(module.scaled(xs=[1, 2, 3, 4])) == [10, 20, 30]
    assert isinstance(module.scaled_wf.nodes[0].flyte_entity, ArrayNodeMapTask)
    assert module.scaled_wf(xs=[1, 2], factors=[3, 4]) == [3, 8]


def test_async_interop(example):
    module = example("async_interop")
    assert asyncio.run(module.scores_gathered(n=4)) == [0, 1, 4, 9]
    assert asyncio.run(module.scores_with_timeout(n=3, seconds=5.0)) == [0, 1, 4]
    with pytest.raises(TimeoutError):
        asyncio.run(module.scores_with_timeout(n=3, seconds=0.01))
    assert asyncio.run(module.scores_in_threads(x=2)) == [4, 9]
    assert module.main() == [0, 1, 4, 9]


def test_closing_a_map_early_cancels_the_items_in_flight():
    finished = []

    @flytekit_ext.task
    async def page(x: int) -> int:
        await asyncio.sleep(0 if x == 0 else 0.5)
        finished.append(x)
        return x

    results = flytekit_ext.map(page, range(100), concurrency=4)
    assert next(results) == 0
    started = time.perf_counter()
    results.close()
    assert time.perf_counter() - started < 0.4  # cancelled, not waited for
    assert next(results, None) is None
    from flytekit_ext._core.loops import run_coroutine

    run_coroutine(asyncio.sleep(0.6))  # the loop the items ran on runs again: a leftover item would finish now
    assert finished == [0]


def test_structured(example):
    module = example("structured")
    assert asyncio.run(module.first_pages(n=5)) == [f"page {i}" for i in range(5)]
    with pytest.raises(flytekit_ext.errors.RuntimeUserError, match="page 13 is missing"):
        asyncio.run(module.all_or_nothing(n=20))
    assert module.first_results(3) == ["page 0", "page 1", "page 2"]


def test_map_processes(example):
    module = example("map_processes")
    expected = [module.checksum(n=n) for n in (1_000, 2_000)]
    assert module.checksums([1_000, 2_000]) == expected


def test_map_partials(example):
    module = example("map_partials")
    assert asyncio.run(module.thumbnails(paths=["a.png", "b.png"])) == ["a.png@64x64", "b.png@64x64"]
    assert module.labelled(paths=["x", "y"]) == ["batch-7/x", "batch-7/y"]
    (node,) = module.thumbnails_wf.nodes
    assert node.flyte_entity.bound_inputs == {"width", "height"}
    assert module.thumbnails_wf(paths=["p"]) == ["p@32x32"]


def test_errors_and_retries(example, capsys):
    module = example("errors_and_retries")
    assert module.fetch_price.metadata.retries == 3
    assert asyncio.run(module.order_total(items=["ab", "abc"], quantity=2)) == 10.0
    assert asyncio.run(module.order_total(items=["ab"], quantity=-1)) == 0.0
    assert "rejected (NonRecoverableError): quantity -1 is negative" in capsys.readouterr().out


def test_groups_and_traces(example, caplog):
    import logging

    import flytekit

    module = example("groups_and_traces")
    with caplog.at_level(logging.INFO, logger="flytekit"):
        assert asyncio.run(module.summarize(docs=["a", "bb"])) == ["3 CHARACTERS IN 2 DOCUMENTS", "True"]
    lines = [record.getMessage() for record in caplog.records]
    assert sum(line.startswith("[embed] embed: running") for line in lines) == 2
    assert sum(line.startswith("[embed-again] embed: running") for line in lines) == 2
    decks = {deck.name: deck.html for deck in flytekit.current_context().decks}
    assert "groups_and_traces.ask_model" in decks["Traces"]


def test_differences_raise_only_task(example):
    module = example("differences")
    with pytest.raises(ValueError, match="after 3 of 3 attempts:\n  1 is never accepted"):
        module.always_fails(x=1)


def test_watched_run(example, tmp_path, monkeypatch):
    monkeypatch.setenv("FLYTEKIT_EXT_TIMELINE_DIR", str(tmp_path))
    module = example("watched_run")
    assert asyncio.run(module.crawl(pages=3)) == [0, 2, 4]
    (page,) = tmp_path.glob("crawl-*.html")
    assert page.read_text().count("data-outcome=") == 3 + 1 + 3  # a bar each: fetches, the failed call, parses


def test_screenshots_shown_in_the_docs_exist():
    for page in DOCS.rglob("*.md"):
        for image in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", page.read_text()):
            assert (page.parent / image).is_file(), f"{page.name} shows missing {image}"


def test_eager_from_flytekit(example):
    module = example("eager_from_flytekit")
    assert asyncio.run(module.current_style(xs=[1, 2])) == [4, 6]
    assert asyncio.run(module.sync_calls_together(xs=[1, 2])) == [2, 3]


# --- from Flyte 2: change the import -----------------------------------------------------------------------------


def test_the_flyte_2_program_runs_as_a_script_and_prints_what_flyte_2_prints(tmp_path):
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "flyte2_program.py")], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    # What Flyte 2.12.1 prints for it with `import flyte` (the framework's log records aside).
    assert [line for line in done.stdout.splitlines() if not re.match(r"^\d\d:\d\d:\d\d\.| {25}", line)] == [
        "apple: 5",
        "fig: 3",
    ]


def test_the_flyte_2_programs_tasks_are_what_the_page_says(example):
    module = example("flyte2_program")
    assert isinstance(module.measure, flytekit_ext.PythonFunctionTask)
    assert isinstance(module.report, flytekit_ext.EagerAsyncPythonFunctionTask)
    assert isinstance(module.write, flytekit_ext.AsyncPythonFunctionTask)
    assert not isinstance(module.write, flytekit_ext.EagerAsyncPythonFunctionTask)
