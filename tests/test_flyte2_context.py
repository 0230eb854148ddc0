"""Inside a run: ``flyte.ctx()``, the custom context, ``flyte.report`` as decks, ``flyte.logger``,
``flyte.durable`` and the checkpoint."""

from __future__ import annotations

import asyncio
import re
import time

import flytekit
import pytest

import flytekit_ext.flyte as flyte
from tests.flyte2 import context


def test_outside_a_task_the_context_is_null_and_false():
    assert not flyte.ctx() and flyte.ctx().action is None and repr(flyte.ctx()) == "NullTaskContext()"
    assert flyte.get_custom_context() == {}
    # A task called outside a run is a plain call, as in Flyte 2: no task context either.
    assert context.who.forward is not None


def test_each_call_is_an_action_of_its_own_in_the_runs_name():
    run = flyte.with_runcontext(name="run-one").run(context.parent)
    first, own, inner, last = run.outputs()[0]
    assert {first["run"], own["run"], inner["run"], last["run"]} == {"run-one"}
    assert len({first["action"], own["action"], inner["action"], last["action"]}) == 4
    assert all(re.fullmatch(r"[0-9a-z]{25}", seen["action"]) for seen in (first, own, inner, last))
    assert first["mode"] == "local"


def test_custom_context_flows_from_the_run_and_the_block_to_the_calls_made_in_it():
    run = flyte.with_runcontext(custom_context={"team": "a"}).run(context.parent)
    first, _, inner, last = run.outputs()[0]
    assert first["custom"] == "team=a" and last["custom"] == "team=a"
    assert inner["custom"] == "stage=inner,team=a"


def test_a_report_becomes_the_tasks_decks():
    flyte.run(context.reports, x=7)
    decks = {deck.name: deck.html for deck in flytekit.current_context().decks}
    assert decks == {"reports": "<b>only</b>", "Details": "<i>7</i>"}


def test_the_logger_prints_to_stdout_as_flyte_2_does_with_the_run_and_action_inside_a_task(capsys):
    flyte.with_runcontext(name="logged-run").run(context.logs, x=3)
    flyte.logger.info("outside")
    lines = capsys.readouterr().out.splitlines()
    assert re.fullmatch(
        r"\d\d:\d\d:\d\d\.\d{6} INFO     \[logged-run\]\[[0-9a-z]{25}\] context\.py:\d+ - inside 3", lines[0]
    ), lines
    assert re.fullmatch(r"\d\d:\d\d:\d\d\.\d{6} INFO     test_flyte2_context\.py:\d+ - outside", lines[1]), lines


def test_durable_time_and_sleep_are_the_clock_and_a_sleep_in_a_first_attempt():
    started = time.time()
    before, after, now = flyte.run(context.durable_times).outputs()[0]
    assert started <= before and after - before >= 0.2 and now >= after - 1


def test_a_retried_attempt_loads_what_the_failed_one_saved_in_its_checkpoint():
    assert flyte.run(context.resumes, x=4).outputs()[0] == "half of 4"


def test_syncify_makes_an_async_method_callable_both_ways():
    from flytekit_ext.flyte.syncify import syncify

    class Greeter:
        @syncify
        async def greet(self, name: str) -> str:
            return f"hello {name}"

    async def awaited() -> str:
        return await Greeter().greet.aio("b")

    assert Greeter().greet("a") == "hello a"
    assert asyncio.run(awaited()) == "hello b"

    async def numbers():
        yield 1

    with pytest.raises(TypeError, match="async generator"):
        syncify(numbers)
