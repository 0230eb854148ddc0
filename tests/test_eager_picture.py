"""A picture of every local eager run: the timeline of its child calls, and a live view on a terminal."""

import asyncio
import re
import textwrap
import typing

import flytekit
import pytest

from flytekit_ext import eager, group, task
from flytekit_ext._eager.bodies import DECK_BARS
from tests.terminal import run_script

BAR = re.compile(
    r'data-name="([^"]*)" data-group="([^"]*)" data-start="([\d.]+)" data-end="([\d.]+)" data-outcome="(\w+)"'
)


@task
async def nap(x: int) -> int:
    await asyncio.sleep(0.2)
    return x


@task
def step(x: int) -> int:
    return x + 1


@task
def breaks(x: int) -> int:
    raise ValueError(f"broken {x}")


@eager
async def pictured(n: int) -> int:
    first = step(x=0)  # sequential: before the gathered ones
    with group("fan-out"):
        gathered = await asyncio.gather(*(nap(x=i) for i in range(n)))
    try:
        breaks(x=1)
    except Exception:  # noqa: BLE001 - a failed call is part of the picture
        pass
    return first + sum(gathered) + step.override(short_name="last")(x=0)


def _bars(page: str) -> typing.List[typing.Tuple[str, str, float, float, str]]:
    return [(name, grp, float(start), float(end), outcome) for name, grp, start, end, outcome in BAR.findall(page)]


def _check(bars: typing.List[typing.Tuple[str, str, float, float, str]], n: int) -> None:
    assert len(bars) == n + 3  # one bar per call
    assert [b[2] for b in bars] == sorted(b[2] for b in bars)  # in the order the calls started
    names = [b[0] for b in bars]
    assert names[0] == "step" and names[-1] == "last" and names[-2] == "breaks"
    naps = [b for b in bars if b[0] == "nap"]
    assert {b[1] for b in naps} == {"fan-out"} and all(b[4] == "succeeded" for b in naps)
    assert max(b[2] for b in naps) < min(b[3] for b in naps)  # the gathered calls overlapped
    assert bars[0][3] <= min(b[2] for b in naps)  # the first call ended before they started
    assert bars[-2][4] == "failed"


def test_the_eager_tasks_deck_has_one_bar_per_child_call():
    assert asyncio.run(pictured(n=4)) == 1 + 6 + 1
    decks = {deck.name: deck.html for deck in flytekit.current_context().decks}
    _check(_bars(decks["Child calls"]), 4)


def test_the_timeline_is_written_to_a_file_when_asked_and_its_path_printed(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FLYTEKIT_EXT_TIMELINE_DIR", str(tmp_path))
    asyncio.run(pictured(n=3))
    (page,) = tmp_path.glob("pictured-*.html")
    text = page.read_text()
    assert text.startswith("<!DOCTYPE html>")
    _check(_bars(text), 3)
    # On the console, whatever the log level: where to open it.
    printed = capsys.readouterr().err.splitlines()
    assert [line for line in printed if line.startswith("flytekit_ext: ") and line.endswith(str(page))], printed


@task
async def quick(x: int) -> int:
    return x


@eager
async def many(n: int) -> int:
    total = sum([await quick(x=i) for i in range(n)])
    try:
        breaks(x=n)  # late in the run, where one bar in every n would not fall on it
    except Exception:  # noqa: BLE001 - a failed call is part of the picture
        pass
    return total


def test_the_deck_of_a_big_run_draws_a_sample_and_every_failure_and_the_page_draws_them_all(tmp_path, monkeypatch):
    monkeypatch.setenv("FLYTEKIT_EXT_TIMELINE_DIR", str(tmp_path))
    calls = DECK_BARS * 2 + 52  # one bar in 3 drawn; the failed call, the last, is not one of them
    assert asyncio.run(many(n=calls - 1)) == sum(range(calls - 1))
    deck = {deck.name: deck.html for deck in flytekit.current_context().decks}["Child calls"]
    drawn = _bars(deck)
    assert len(drawn) <= DECK_BARS + 1 and [b[0] for b in drawn if b[4] == "failed"] == ["breaks"]
    assert f"{calls} child calls" in deck and f"{len(drawn)} of them drawn: one in 3" in deck
    assert drawn[-2][2] > 0.9 * drawn[-1][2]  # the sample spans the whole run
    (page,) = tmp_path.glob("many-*.html")
    assert len(_bars(page.read_text())) == calls


def test_no_file_unless_asked(tmp_path, monkeypatch):
    monkeypatch.delenv("FLYTEKIT_EXT_TIMELINE_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    asyncio.run(pictured(n=2))
    assert list(tmp_path.iterdir()) == []


LIVE = textwrap.dedent(
    """
    import asyncio, time
    import flytekit_ext
    from flytekit_ext import eager, task

    @task
    async def slow(x: int) -> int:
        await asyncio.sleep(1.0)
        return x

    @task
    def tick(x: int) -> int:
        time.sleep(0.2)
        return x

    @eager
    async def watched(n: int) -> int:
        total = sum(await asyncio.gather(*(slow(x=i) for i in range(n))))
        return total + sum([r async for r in flytekit_ext.map.aio(tick, range(6), concurrency=1)])

    print(asyncio.run(watched(n=3)))
    """
)


def _run(script_dir, *, terminal: bool) -> str:
    path = script_dir / "watched.py"
    path.write_text(LIVE)
    return run_script(path, terminal=terminal)


def test_a_live_view_on_a_terminal(tmp_path):
    shown = _run(tmp_path, terminal=True)
    assert "watched" in shown and "3 running" in shown and "▶ slow" in shown
    assert re.search(r"[0-6]/6", shown)  # the map's bar, inside the view, counts its items
    assert shown.strip().splitlines()[-1].endswith("18")  # the result, printed once the view is gone


def test_nothing_is_shown_without_a_terminal(tmp_path):
    shown = _run(tmp_path, terminal=False)
    assert "running" not in shown and "▶" not in shown
    assert shown.strip().splitlines()[-1] == "18"


@pytest.mark.parametrize("value", ["0"])
def test_the_live_view_can_be_turned_off(tmp_path, monkeypatch, value):
    monkeypatch.setenv("FLYTEKIT_EXT_LIVE", value)
    assert "▶" not in _run(tmp_path, terminal=True)
