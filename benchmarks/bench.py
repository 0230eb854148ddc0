#!/usr/bin/env python
"""flytekit vs flytekit_ext, side by side, in one process.

    python benchmarks/bench.py [--quick] [--json out.json]

The same function bodies (benchmarks/bodies.py) are decorated once with flytekit's decorators and once
with flytekit_ext's, as two separate modules. For every comparative figure the two sides run in
alternating batches (flytekit, flytekit_ext, flytekit, flytekit_ext, ...) after one warm-up each, and the
figure is the median over the batches. Each figure's results are asserted equal on both sides once.
The import time and the map memory figure run in fresh child processes.

Everything runs with default settings, as a user would see it: in particular flytekit's local eager run
builds its dependencies deck by running ``pip`` in a subprocess (about 1-2 s per eager run), and that
time is part of the flytekit figure.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
BODIES = os.path.join(HERE, "bodies.py")

EAGER_CHILDREN = 100
MAP_ITEMS = 100_000
MAP_CONCURRENCY = 64
BURN_N = 1_500_000  # about 0.2 s of pure Python per item

# (rounds, calls per batch) for full and --quick runs
PLAN = {
    "add": ((15, 100), (5, 50)),
    "map_per_item": ((11, 2_000), (5, 1_000)),
    "process_map": ((5, 0), (2, 0)),
    "workflow": ((11, 2), (5, 1)),
    "eager": ((5, 1), (3, 1)),
    "forward": ((15, 20_000), (5, 10_000)),
    "import": ((9, 1), (5, 1)),
    "first_map": ((3, 0), (1, 0)),
    "eager_child": ((7, 0), (3, 0)),
    "data": ((5, 0), (2, 0)),
    "facade_run": ((9, 3), (5, 2)),
    "flyte2_fanout": ((3, 5), (2, 3)),
    "map_items": (MAP_ITEMS, 20_000),
}


# ------------------------------------------------------------------------------------------------ helpers


def load_bodies(module_name: str, decorators: Any) -> Any:
    """Execute bodies.py as a fresh module whose ``task``/``eager``/``workflow`` come from ``decorators``."""
    spec = importlib.util.spec_from_file_location(module_name, BODIES)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    module.task = decorators.task  # type: ignore[attr-defined]
    module.eager = decorators.eager  # type: ignore[attr-defined]
    module.workflow = decorators.workflow  # type: ignore[attr-defined]
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def per_call(fn: Callable[[int], Any], calls: int) -> float:
    """Seconds per call of ``fn(i)`` for i in range(calls)."""
    gc.collect()
    started = time.perf_counter()
    for i in range(calls):
        fn(i)
    return (time.perf_counter() - started) / calls


# The host's own speed: a shared machine has quick and slow spells (the same pure-Python loop takes 55 or 90 ns an
# iteration, for seconds at a time), and a ratio of two medians taken in different spells moves with them.
YARDSTICK_ITERATIONS = 100_000


def _burn(n: int) -> int:
    # bodies.burn as a plain function: the host's yardstick, and the process map's bare-pool item (pickled by value
    # when this runs as a script).
    total = 0
    for i in range(n):
        total = (total + i * i) % 1_000_003
    return total


def yardstick() -> float:
    """Seconds per iteration of a fixed pure-Python loop: how fast the host runs Python right now."""
    started = time.perf_counter()
    _burn(YARDSTICK_ITERATIONS)
    return (time.perf_counter() - started) / YARDSTICK_ITERATIONS


def paced(batch: Callable[[], float], speeds: List[float]) -> Callable[[], float]:
    """``batch``, also recording in ``speeds`` the host's speed around it (the mean of a yardstick before and after)."""

    def run() -> float:
        before = yardstick()
        seconds = batch()
        speeds.append((before + yardstick()) / 2)
        return seconds

    return run


def alternate(
    rounds: int, batch_a: Callable[[], float], batch_b: Callable[[], float]
) -> Tuple[List[float], List[float]]:
    """Run A B A B ... ``rounds`` times each; returns both sides' samples."""
    a: List[float] = []
    b: List[float] = []
    for _ in range(rounds):
        a.append(batch_a())
        b.append(batch_b())
    return a, b


def fmt_time(seconds: float) -> str:
    magnitude = abs(seconds)
    if magnitude < 1e-3:
        return f"{seconds * 1e6:.2f} µs"
    if magnitude < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.3f} s"


class Figure:
    def __init__(
        self,
        name: str,
        target: str,
        flytekit: Optional[List[float]],
        ext: Optional[List[float]],
        value: Optional[float],
        passed: Optional[bool],
        kind: str,
        note: str = "",
    ) -> None:
        self.name, self.target, self.kind, self.note = name, target, kind, note
        self.flytekit, self.ext, self.value, self.passed = flytekit, ext, value, passed

    @property
    def flytekit_median(self) -> Optional[float]:
        return statistics.median(self.flytekit) if self.flytekit else None

    @property
    def ext_median(self) -> Optional[float]:
        return statistics.median(self.ext) if self.ext else None

    def row(self) -> List[str]:
        fk = fmt_time(self.flytekit_median) if self.flytekit_median is not None else "-"
        ex = fmt_time(self.ext_median) if self.ext_median is not None else "-"
        if self.value is None:
            value = "not available"
        elif self.kind == "ratio":
            value = f"ratio {self.value:.4f}"
        elif self.kind == "time":
            value = fmt_time(self.value)
        elif self.kind == "speedup":
            value = f"{self.value:.2f}x"
        else:
            value = f"{self.value:.2f} MB"
        verdict = "n/a" if self.passed is None else ("PASS" if self.passed else "FAIL")
        return [self.name, fk, ex, value, self.target, verdict]

    def as_json(self) -> Dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "target": self.target,
            "flytekit_median_s": self.flytekit_median,
            "flytekit_ext_median_s": self.ext_median,
            "flytekit_samples_s": self.flytekit,
            "flytekit_ext_samples_s": self.ext,
            "value": self.value,
            "pass": self.passed,
            "note": self.note,
        }


def ratio_figure(name: str, limit: float, fk: List[float], ex: List[float], note: str = "") -> Figure:
    ratio = statistics.median(ex) / statistics.median(fk)
    return Figure(name, f"ratio ≤ {limit}", fk, ex, ratio, ratio <= limit, "ratio", note)


def progress(message: str) -> None:
    print(f"  ... {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------------ figures


# A batch of as many flytekit_ext calls as flytekit's would last 2 ms: on a shared machine that lands whole in a
# quick or a slow spell (the same calls take 17 or 28 µs, with or without flytekit's batches in between), where
# flytekit's 150-250 ms batches average over both. With this many times the calls, a flytekit_ext batch lasts
# about as long as a flytekit one, and both sides average over the same swings.
EXT_CALLS_PER_FLYTEKIT_CALL = 100


def bench_add(fk: Any, ex: Any, rounds: int, calls: int) -> Figure:
    expected = [i + 1 for i in range(20)]
    assert [fk.add(x=i) for i in range(20)] == expected  # also the warm-up
    assert [ex.add(x=i) for i in range(20)] == expected
    ext_calls = calls * EXT_CALLS_PER_FLYTEKIT_CALL
    fk_speeds: List[float] = []
    ex_speeds: List[float] = []
    a, b = alternate(
        rounds,
        paced(lambda: per_call(lambda i: fk.add(x=i), calls), fk_speeds),
        paced(lambda: per_call(lambda i: ex.add(x=i), ext_calls), ex_speeds),
    )
    # Not the verdict, which is on the plain medians: how flytekit_ext's batches fared in the host's quicker and
    # slower spells. Its call is pure Python and slows with the host; flytekit's is mostly system calls and
    # thread hops, which slow less, so the ratio is higher in slow spells.
    speeds = fk_speeds + ex_speeds
    pivot = statistics.median(speeds)
    by_spell = []
    for spell, in_spell in (("quicker", lambda s: s <= pivot), ("slower", lambda s: s > pivot)):
        times = [t for t, s in zip(b, ex_speeds) if in_spell(s)]
        if times:
            median = statistics.median(times)
            by_spell.append(
                f"{len(times)} in the {spell} half, median {fmt_time(median)} "
                f"(ratio {median / statistics.median(a):.4f})"
            )
    note = (
        f"{rounds} rounds of {calls} flytekit calls and {ext_calls} flytekit_ext calls, per call; host speed (a "
        f"pure-Python loop timed around each batch) {min(speeds) * 1e9:.0f}-{max(speeds) * 1e9:.0f} ns an "
        f"iteration, median {pivot * 1e9:.0f} ns; flytekit_ext's batches: {'; '.join(by_spell)}"
    )
    return ratio_figure("top-level add(x) call", 0.015, a, b, note)


def bench_workflow(fk: Any, ex: Any, rounds: int, runs: int) -> Figure:
    expected = fk.CHAIN_LENGTH
    assert fk.chain(x=0) == expected and ex.chain(x=0) == expected  # also the warm-up
    a, b = alternate(
        rounds, lambda: per_call(lambda i: fk.chain(x=i), runs), lambda: per_call(lambda i: ex.chain(x=i), runs)
    )
    return ratio_figure(f"workflow of {expected} chained add", 0.05, a, b, f"{rounds} rounds x {runs} runs, per run")


def bench_eager(fk: Any, ex: Any, which: str, rounds: int, runs: int) -> Figure:
    n = EAGER_CHILDREN
    if which == "sequential":
        expected: Any = sum(i + 1 for i in range(n))
        name = f"eager, {n} sequential awaited children"
    else:
        expected = [i + 1 for i in range(n)]
        name = f"eager, {n} gathered children"
    fk_fn = getattr(fk, f"eager_{which}")
    ex_fn = getattr(ex, f"eager_{which}")
    assert asyncio.run(fk_fn(n=n)) == expected  # also the warm-up
    assert asyncio.run(ex_fn(n=n)) == expected
    a, b = alternate(
        rounds,
        lambda: per_call(lambda i: asyncio.run(fk_fn(n=n)), runs),
        lambda: per_call(lambda i: asyncio.run(ex_fn(n=n)), runs),
    )
    note = f"{rounds} rounds x {runs} runs of asyncio.run(eager(n={n})); flytekit includes its pip dependencies deck"
    return ratio_figure(name, 0.02 if which == "sequential" else 0.01, a, b, note)


def bench_forward(ex: Any, rounds: int, calls: int) -> Figure:
    add = ex.add
    plain = add.task_function  # the undecorated function from bodies.py
    assert plain is not add and not hasattr(plain, "forward")
    assert [add.forward(x=i) for i in range(20)] == [plain(x=i) for i in range(20)]
    # Here A is the plain function and B is .forward(): the figure is the difference of the medians. Both are
    # called through a local name, as `add.forward(x=i)` and `add(x=i)` would be in user code.
    a, b = alternate(
        rounds, lambda: per_call(lambda i: plain(x=i), calls), lambda: per_call(lambda i: add.forward(x=i), calls)
    )
    overhead = statistics.median(b) - statistics.median(a)
    return Figure(
        "add.forward(x) over plain add(x)",
        "≤ 1 µs",
        None,
        None,
        overhead,
        overhead <= 1e-6,
        "time",
        f"plain median {fmt_time(statistics.median(a))}, forward median {fmt_time(statistics.median(b))}, "
        f"{rounds} rounds x {calls} calls",
    )


def bench_map_per_item(ex: Any, rounds: int, items: int, concurrency: int = MAP_CONCURRENCY) -> Figure:
    """flytekit_ext only: a local map of a sync task, per item, over a top-level call of the same task."""
    add = ex.add
    assert list(flytekit_ext_map()(add, range(items), concurrency=concurrency)) == [i + 1 for i in range(items)]

    def mapped() -> float:
        gc.collect()
        started = time.perf_counter()
        for _ in flytekit_ext_map()(add, range(items), concurrency=concurrency):
            pass
        return (time.perf_counter() - started) / items

    a, b = alternate(rounds, lambda: per_call(lambda i: add(x=i), items), mapped)
    ratio = statistics.median(b) / statistics.median(a)
    bound = f"concurrency={concurrency}" if concurrency else "no bound, the default"
    return Figure(
        f"map of a sync task, per item, over a call ({bound})",
        "ratio ≤ 1.5",
        None,
        None,
        ratio,
        ratio <= 1.5,
        "ratio",
        f"call median {fmt_time(statistics.median(a))}, map median {fmt_time(statistics.median(b))} per item; "
        f"{rounds} rounds x {items} items, alternating",
    )


def bench_map_blocking(ex: Any) -> Figure:
    """Ten sync items that each sleep 0.2 s still overlap."""
    assert list(flytekit_ext_map()(ex.nap, range(10))) == list(range(10))  # also the warm-up
    samples = []
    for _ in range(3):
        started = time.perf_counter()
        list(flytekit_ext_map()(ex.nap, range(10)))
        samples.append(time.perf_counter() - started)
    value = statistics.median(samples)
    return Figure(
        "map of 10 sync items sleeping 0.2 s", "≤ 0.3 s", None, samples, value, value <= 0.3, "time", "3 runs"
    )


def bench_process_map(ex: Any, rounds: int) -> Figure:
    """A CPU-bound map in worker processes over the same items called one by one (flytekit_ext only)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    items = [BURN_N] * (4 * cores)
    expected = [ex.burn(n=n) for n in items[:1]] * len(items)
    assert list(flytekit_ext_map()(ex.burn, items, processes=True)) == expected  # also starts the workers

    def one_by_one() -> float:
        started = time.perf_counter()
        for n in items:
            ex.burn(n=n)
        return time.perf_counter() - started

    def in_processes() -> float:
        started = time.perf_counter()
        for _ in flytekit_ext_map()(ex.burn, items, processes=True):
            pass
        return time.perf_counter() - started

    # The machine's ceiling for this figure: the same items as a plain function on loky's workers, without
    # flytekit_ext (two busy cores of a shared host each run slower than one busy core does).
    from loky import get_reusable_executor

    from flytekit_ext._patterns.map_processes import IDLE_SECONDS

    # loky's one reusable executor, with the map's settings: other settings would restart its workers.
    plain = get_reusable_executor(max_workers=os.cpu_count() or 1, timeout=IDLE_SECONDS)
    assert list(plain.map(_burn, items)) == expected

    def plain_in_processes() -> float:
        started = time.perf_counter()
        for _ in plain.map(_burn, items):
            pass
        return time.perf_counter() - started

    a: List[float] = []
    b: List[float] = []
    c: List[float] = []
    for round_ in range(rounds):
        a.append(one_by_one())
        # Which of the two runs right after the one-by-one calls alternates: neither gets that position's luck.
        if round_ % 2:
            c.append(plain_in_processes())
            b.append(in_processes())
        else:
            b.append(in_processes())
            c.append(plain_in_processes())
    speedup = statistics.median(a) / statistics.median(b)
    target = 1.6 if cores >= 2 else 0.0
    return Figure(
        f"process map speedup over one-by-one calls ({cores} cores)",
        f"≥ {target}x",
        None,
        None,
        speedup,
        speedup >= target,
        "speedup",
        f"{len(items)} CPU-bound items; one by one {fmt_time(statistics.median(a))}, in processes "
        f"{fmt_time(statistics.median(b))} (workers already started by a first map); {rounds} rounds, alternating "
        f"with (in turn before and after) the plain function on loky's workers, "
        f"{fmt_time(statistics.median(c))}: the machine's ceiling, "
        f"{statistics.median(a) / statistics.median(c):.2f}x",
    )


def bench_frame_pipeline(fk: Any, ex: Any, rounds: int) -> Figure:
    """Five tasks passing a 2,000,000-row DataFrame along, against the same functions called directly."""
    rows = fk.FRAME_ROWS
    expected = fk.frame_pipeline(n=1000)  # also the warm-up
    assert ex.frame_pipeline(n=1000) == expected

    def run(module: Any) -> Callable[[], float]:
        def batch() -> float:
            gc.collect()
            started = time.perf_counter()
            module.frame_pipeline(n=rows)
            return time.perf_counter() - started

        return batch

    a, b = alternate(rounds, run(fk), run(ex))
    direct = []
    for _ in range(rounds):
        started = time.perf_counter()
        df = ex.frame_generate.task_function(n=rows)
        for step in (ex.frame_scale, ex.frame_shift, ex.frame_scale, ex.frame_shift):
            df = step.task_function(df=df)
        ex.frame_total.task_function(df=df)
        direct.append(time.perf_counter() - started)
    note = (
        f"{rounds} rounds, alternating, per pipeline run of {rows:,} rows x 2 columns; the same functions called "
        f"directly: {fmt_time(statistics.median(direct))}"
    )
    return ratio_figure("DataFrame pipeline of five tasks", 0.25, a, b, note)


def bench_file_pipeline(fk: Any, ex: Any, rounds: int) -> Figure:
    """A 300 MB FlyteFile written, passed through three tasks and read whole by a fifth (no target: shown)."""
    size = fk.FILE_BYTES
    assert fk.file_pipeline(size=1024 * 1024) and ex.file_pipeline(size=1024 * 1024)  # also the warm-up

    import flytekit

    # Each task's working directory is made beside the process's own, in a folder nothing empties: the 300 MB
    # written in a round is removed after it (10 rounds would leave 3 GB behind).
    sandbox = Path(flytekit.current_context().working_directory).parent

    def run(module: Any) -> Callable[[], float]:
        def batch() -> float:
            started = time.perf_counter()
            module.file_pipeline(size=size)
            took = time.perf_counter() - started
            for written in sandbox.glob("*/data.bin"):
                written.unlink()
            return took

        return batch

    a, b = alternate(rounds, run(fk), run(ex))
    return Figure(
        "300 MB FlyteFile through five tasks",
        "shown",
        a,
        b,
        statistics.median(b) / statistics.median(a),
        None,
        "ratio",
        f"{rounds} rounds, alternating. Both hand every task the producer's own file",
    )


FIRST_MAP_ITEMS = 16
FIRST_MAP_BURN_N = 2_600_000  # about 0.35 s of pure Python per item


def first_map_child(items: int) -> None:
    """In a fresh process: its first process map of ``items`` CPU-bound items, then the same items one by one."""
    import flytekit_ext

    ex = load_bodies("bench_flytekit_ext", flytekit_ext)
    inputs = [FIRST_MAP_BURN_N] * items
    started = time.perf_counter()
    mapped = list(flytekit_ext.map(ex.burn, inputs, processes=True))
    in_map = time.perf_counter() - started
    started = time.perf_counter()
    one_by_one = [ex.burn(n=n) for n in inputs]
    print(json.dumps({"map": in_map, "one_by_one": time.perf_counter() - started, "same": mapped == one_by_one}))


def child_result(command: List[str]) -> Any:
    """What a measuring child process reports: the JSON on the last line of its output."""
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def bench_first_process_map(items: int, rounds: int) -> Figure:
    """A fresh process's first process map (its workers cold) against the same items called one by one."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    maps: List[float] = []
    calls: List[float] = []
    for _ in range(rounds):
        result = child_result([sys.executable, os.path.abspath(__file__), "--first-map-child", str(items)])
        assert result["same"]
        maps.append(result["map"])
        calls.append(result["one_by_one"])
    speedup = statistics.median(calls) / statistics.median(maps)
    target = (1.6 if items > 2 else 1.0) if cores >= 2 else 0.0
    return Figure(
        f"first process map of {items} items in a fresh process ({cores} cores)",
        f"≥ {target}x",
        calls,
        maps,
        speedup,
        speedup >= target,
        "speedup",
        f"{rounds} fresh processes; one by one {fmt_time(statistics.median(calls))}, first map "
        f"{fmt_time(statistics.median(maps))} (the 'flytekit' column is the one-by-one calls)",
    )


EAGER_CHILD_CALLS = 2_000


def bench_eager_child_call(ex: Any, rounds: int) -> Figure:
    """An awaited call inside a local eager task, over a top-level call of a sync task (flytekit_ext only)."""
    n = EAGER_CHILD_CALLS
    assert asyncio.run(ex.eager_children(n=n)) == sum(i + 1 for i in range(n))  # also the warm-up

    def in_eager() -> float:
        gc.collect()
        started = time.perf_counter()
        asyncio.run(ex.eager_children(n=n))
        return (time.perf_counter() - started) / n

    a, b = alternate(rounds, lambda: per_call(lambda i: ex.add(x=i), n), in_eager)
    ratio = statistics.median(b) / statistics.median(a)
    return Figure(
        "awaited call in a local eager task, over a top-level call",
        "ratio ≤ 1.5",
        None,
        None,
        ratio,
        ratio <= 1.5,
        "ratio",
        f"top-level call {fmt_time(statistics.median(a))}, in an eager task {fmt_time(statistics.median(b))} per "
        f"call (one eager run of {n} sequential awaited children per round, its set-up included); {rounds} rounds",
    )


def flytekit_ext_map() -> Any:
    import flytekit_ext

    return flytekit_ext.map


IMPORT_SNIPPETS = {
    "flytekit": "import time; t0 = time.perf_counter(); import flytekit; print(time.perf_counter() - t0, 0.0)",
    # flytekit_ext imports flytekit first anyway; timing the two statements apart also gives the extra alone.
    "flytekit_ext": (
        "import time; t0 = time.perf_counter(); import flytekit; t1 = time.perf_counter(); import flytekit_ext; "
        "t2 = time.perf_counter(); print(t2 - t0, t2 - t1)"
    ),
}


def import_time(module: str) -> Tuple[float, float]:
    """(seconds to import ``module`` in a fresh interpreter, seconds of that spent after flytekit was imported)"""
    out = subprocess.run(
        [sys.executable, "-c", IMPORT_SNIPPETS[module]], check=True, capture_output=True, text=True, cwd=HERE
    ).stdout
    total, extra = out.strip().splitlines()[-1].split()
    return float(total), float(extra)


def bench_import(rounds: int) -> Figure:
    import_time("flytekit"), import_time("flytekit_ext")  # warm-up: bytecode caches, page cache
    paired: List[float] = []

    def ext() -> float:
        total, extra = import_time("flytekit_ext")
        paired.append(extra)
        return total

    a, b = alternate(rounds, lambda: import_time("flytekit")[0], ext)
    # The figure is what `import flytekit_ext` adds once flytekit is imported, timed inside each fresh process:
    # the difference of two ~1 s medians from separate processes is mostly the machine's noise.
    extra = statistics.median(paired)
    return Figure(
        "import flytekit_ext over import flytekit",
        "≤ 50 ms",
        a,
        b,
        extra,
        extra <= 0.050,
        "time",
        f"{rounds} fresh processes each, alternating; figure = median time of `import flytekit_ext` right after "
        f"`import flytekit` in the same process. The difference of the two columns' medians, "
        f"{fmt_time(statistics.median(b) - statistics.median(a))}, is dominated by noise between processes",
    )


FANOUT_BODIES = os.path.join(HERE, "fanout_bodies.py")
FANOUT_CHILD = os.path.join(HERE, "fanout_child.py")
FANOUT_ITEMS = 100


def load_fanout(module_name: str, task: Any, parent: Any, fan_map: Any) -> Any:
    """Execute fanout_bodies.py as a fresh module with the given decorators and map."""
    spec = importlib.util.spec_from_file_location(module_name, FANOUT_BODIES)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    module.task, module.parent, module.fan_map = task, parent, fan_map  # type: ignore[attr-defined]
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def bench_facade_run(rounds: int, runs: int) -> Figure:
    """``flyte.run`` of a Flyte 2 program (flytekit_ext.flyte) against the same bodies as flytekit_ext tasks."""
    import flytekit_ext
    import flytekit_ext.flyte as flyte

    env = flyte.TaskEnvironment(name="fanout_bench")
    program = load_fanout("bench_fanout_facade", env.task, env.task, flyte.map)
    direct = load_fanout("bench_fanout_direct", flytekit_ext.task, flytekit_ext.eager, flytekit_ext.map)
    n = FANOUT_ITEMS
    expected = sum(i * i / 2 for i in range(n))
    assert flyte.run(program.fanout, n=n).outputs()[0] == expected  # also the warm-up
    assert asyncio.run(direct.fanout(n=n)) == expected
    a, b = alternate(
        rounds,
        lambda: per_call(lambda i: asyncio.run(direct.fanout(n=n)), runs),
        lambda: per_call(lambda i: flyte.run(program.fanout, n=n), runs),
    )
    note = (
        f"{rounds} rounds x {runs} runs; left column: the bodies as flytekit_ext tasks called directly "
        f"(asyncio.run(fanout(n={n}))), right: the Flyte 2 program run with flytekit_ext.flyte's flyte.run (a map of "
        f"{n} sync tasks, then {n} gathered async tasks, each {1000 * 0.005:.0f} ms of waiting)"
    )
    return ratio_figure("flyte.run of a Flyte 2 fan-out program over the same tasks called", 1.10, a, b, note)


def fanout_run_times(python: str, module: str, runs: int) -> List[float]:
    return list(child_result([python, FANOUT_CHILD, module, str(runs), str(FANOUT_ITEMS)])["times"])


def bench_flyte2_fanout(flyte2_python: Optional[str], rounds: int, runs: int) -> Figure:
    """The same fan-out program run locally by Flyte 2 (its own environment) and by flytekit_ext.flyte."""
    name = "local run of a fan-out program: Flyte 2 over flytekit_ext.flyte"
    if not flyte2_python or not os.path.exists(flyte2_python):
        note = "needs Flyte 2 in an environment of its own: --flyte2-python PATH (or FLYTE2_PYTHON)"
        return Figure(name, "speedup ≥ 1x", None, None, None, None, "speedup", note)
    flyte2: List[float] = []
    facade: List[float] = []
    for _ in range(rounds):  # a fresh process each, alternating; each run's time as its program measures it
        flyte2.extend(fanout_run_times(flyte2_python, "flyte", runs))
        facade.extend(fanout_run_times(sys.executable, "flytekit_ext.flyte", runs))
    speedup = statistics.median(flyte2) / statistics.median(facade)
    note = (
        f"{rounds} fresh processes per side, alternating, {runs} timed runs each after a warm-up; the same program "
        f"(benchmarks/fanout_bodies.py, n={FANOUT_ITEMS}) with `import flyte` under Flyte 2 ({flyte2_python}) and "
        f"with flytekit_ext.flyte; Flyte 2's local mode runs map items one after another"
    )
    return Figure(name, "speedup ≥ 1x", flyte2, facade, speedup, speedup >= 1.0, "speedup", note)


def bench_map(items: int) -> Figure:
    name = f"flytekit_ext.map of {items:,} items, concurrency={MAP_CONCURRENCY}"
    result = child_result([sys.executable, os.path.abspath(__file__), "--map-child", str(items)])
    growth_mb = result["growth_bytes"] / 1e6
    note = (
        f"RSS peak growth ({result['method']}) in a fresh process, after a warm-up map; "
        f"took {result['seconds']:.1f} s ({result['seconds'] / items * 1e6:.0f} µs/item); tracemalloc peak "
        f"during a {result['traced_items']:,}-item map: {result['traced_peak_bytes'] / 1e6:.2f} MB"
    )
    figure = Figure(name, "growth ≤ 50 MB", None, [result["seconds"]], growth_mb, growth_mb <= 50, "memory", note)
    if items < MAP_ITEMS:
        figure.note += f" (--quick: {items:,} items, not {MAP_ITEMS:,})"
    return figure


def _rss_status() -> Dict[str, int]:
    values = {}
    with open("/proc/self/status") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) * 1024
    return values


def map_child(items: int) -> None:
    """In a fresh process: the RSS peak growth of one flytekit_ext.map over ``items`` items."""
    import resource
    import tracemalloc

    import flytekit_ext

    ex = load_bodies("bench_flytekit_ext", flytekit_ext)

    def run(n: int) -> None:
        count = 0
        for i, result in enumerate(flytekit_ext.map(ex.add, range(n), concurrency=MAP_CONCURRENCY)):
            assert result == i + 1, (i, result)  # checked as they come: the results are not kept
            count += 1
        assert count == n, count

    run(2_000)  # warm-up: worker threads, event loop, type engine caches
    traced = min(items, 5_000)
    tracemalloc.start()
    run(traced)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    gc.collect()

    method = "VmHWM after resetting it through /proc/self/clear_refs"
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")  # resets the peak RSS (VmHWM) to the current RSS
        baseline = _rss_status()["VmRSS"]
    except OSError:
        method = "ru_maxrss"
        baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    started = time.perf_counter()
    run(items)
    seconds = time.perf_counter() - started
    peak = (
        _rss_status()["VmHWM"]
        if method.startswith("VmHWM")
        else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    )
    print(
        json.dumps(
            {
                "growth_bytes": peak - baseline,
                "baseline_bytes": baseline,
                "peak_bytes": peak,
                "seconds": seconds,
                "method": method,
                "traced_items": traced,
                "traced_peak_bytes": traced_peak,
            }
        )
    )


# ------------------------------------------------------------------------------------------------ main


def machine() -> Dict[str, Any]:
    import flytekit

    import flytekit_ext

    try:
        commit = subprocess.run(
            ["git", "-C", HERE, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "python": platform.python_version(),
        "flytekit": flytekit.__version__,
        "flytekit_ext": flytekit_ext.__version__,
        "commit": commit,
        "platform": platform.platform(),
    }


def print_table(figures: List[Figure]) -> None:
    header = ["figure", "flytekit (median)", "flytekit_ext (median)", "ext/flytekit or value", "target", "result"]
    rows = [header] + [f.row() for f in figures]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    for n, r in enumerate(rows):
        print(" | ".join(cell.ljust(widths[i]) for i, cell in enumerate(r)))
        if n == 0:
            print("-+-".join("-" * w for w in widths))
    print()
    for f in figures:
        if f.note:
            print(f"* {f.name}: {f.note}")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds (and a 20,000-item map)")
    parser.add_argument("--json", metavar="PATH", help="also write all samples and verdicts as JSON")
    parser.add_argument(
        "--flyte2-python",
        default=os.environ.get("FLYTE2_PYTHON"),
        help="the interpreter of an environment with Flyte 2 (flyte 2.12.1), for the fan-out figure against it",
    )
    parser.add_argument("--map-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--first-map-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.map_child:
        map_child(args.map_child)
        return 0
    if args.first_map_child:
        first_map_child(args.first_map_child)
        return 0

    plan = {key: (value[1] if args.quick else value[0]) for key, value in PLAN.items() if key != "map_items"}
    map_items = PLAN["map_items"][1 if args.quick else 0]
    started = time.perf_counter()

    import flytekit

    import flytekit_ext

    fk = load_bodies("bench_flytekit", flytekit)
    ex = load_bodies("bench_flytekit_ext", flytekit_ext)
    assert type(fk.add).__module__.startswith("flytekit.") and type(ex.add).__module__.startswith("flytekit_ext.")

    info = machine()
    print(
        f"machine: nproc={info['nproc']}, python {info['python']}, flytekit {info['flytekit']}, "
        f"flytekit_ext {info['flytekit_ext']} ({info['commit']}), {info['platform']}"
    )
    figures: List[Figure] = []
    progress("top-level add")
    figures.append(bench_add(fk, ex, *plan["add"]))
    progress("workflow of 50 chained add")
    figures.append(bench_workflow(fk, ex, *plan["workflow"]))
    progress("eager, sequential children (flytekit ~1-2 s per run)")
    figures.append(bench_eager(fk, ex, "sequential", *plan["eager"]))
    progress("eager, gathered children (flytekit ~1-2 s per run)")
    figures.append(bench_eager(fk, ex, "gathered", *plan["eager"]))
    progress(".forward()")
    figures.append(bench_forward(ex, *plan["forward"]))
    progress("map of a sync task, per item")
    figures.append(bench_map_per_item(ex, *plan["map_per_item"]))
    figures.append(bench_map_per_item(ex, *plan["map_per_item"], concurrency=0))
    figures.append(bench_map_blocking(ex))
    progress("map in worker processes (CPU-bound)")
    figures.append(bench_process_map(ex, plan["process_map"][0]))
    progress("a fresh process's first process map (cold workers)")
    figures.append(bench_first_process_map(FIRST_MAP_ITEMS, plan["first_map"][0]))
    figures.append(bench_first_process_map(2, plan["first_map"][0]))
    progress("awaited calls in a local eager task")
    figures.append(bench_eager_child_call(ex, plan["eager_child"][0]))
    progress("DataFrame pipeline of five tasks (flytekit ~1.5 s per run)")
    figures.append(bench_frame_pipeline(fk, ex, plan["data"][0]))
    progress("300 MB FlyteFile through five tasks")
    figures.append(bench_file_pipeline(fk, ex, plan["data"][0]))
    progress("flyte.run of a Flyte 2 program (flytekit_ext.flyte) and the same tasks called directly")
    figures.append(bench_facade_run(*plan["facade_run"]))
    progress("a fan-out program under Flyte 2 and under flytekit_ext.flyte (fresh processes)")
    figures.append(bench_flyte2_fanout(args.flyte2_python, *plan["flyte2_fanout"]))
    progress("import time (fresh processes)")
    figures.append(bench_import(plan["import"][0]))
    progress(f"map of {map_items:,} items (fresh process)")
    figures.append(bench_map(map_items))

    print()
    print_table(figures)
    elapsed = time.perf_counter() - started
    print(f"\ntotal benchmark time: {elapsed:.1f} s")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(
                {"machine": info, "quick": args.quick, "seconds": elapsed, "figures": [f.as_json() for f in figures]},
                out,
                indent=2,
            )
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
