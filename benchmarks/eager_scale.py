#!/usr/bin/env python
"""An eager parent gathering 100, 1,000 and 10,000 children on a Flyte admin, flytekit_ext against flytekit.

    python benchmarks/eager_scale.py [--children 100,1000,10000] [--runs 3] [--sides ext,flytekit]
                                     [--flytekit-cap 600] [--json out.json]

Both sides run the same body (``scale_bodies.py``): an eager task that ``asyncio.gather``s ``n`` calls of an async
task. It runs for real, in ``pyflyte-execute``, against the loopback admin double of ``tests/backend`` in its scale
mode: the double completes each child by itself one second after creating it (computing ``x * x``), without a
process, so what is measured is the parent and its admin traffic, not the children. Per run: the parent's wall
time (RUNNING to its end, as the double saw it, so ``pyflyte-execute``'s start is in it on both sides), the
gather's own time (measured in the body), the admin calls the parent made, by method and per child, and the
parent process's peak memory (``VmHWM`` after resetting it at the start of the body, less the RSS there, per child;
and the peak the harness saw in ``/proc/<pid>/status`` while it ran).

flytekit's eager launches at most 60 children a minute, so its 1,000-child run lasts about 17 minutes and its
10,000-child run is stopped after ``--flytekit-cap`` seconds (10 minutes), reporting how far it got (every other
run is stopped after 30 minutes). Run from the
repository root, with flytekit_ext installed and the test extras (the double needs grpcio and flyteidl).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT)]

from flyteidl.core import literals_pb2  # noqa: E402

from tests.backend.admin_double import AdminDouble, Simulation  # noqa: E402

PROJECT, DOMAIN, VERSION = "flytesnacks", "development", "bench"


def squares(inputs: literals_pb2.LiteralMap) -> literals_pb2.LiteralMap:
    """What each simulated child returns: ``x * x``, computed in the double."""
    squared = literals_pb2.LiteralMap()
    squared.literals["o0"].scalar.primitive.integer = inputs.literals["x"].scalar.primitive.integer ** 2
    return squared


def _status_kib(pid: int, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class PeakWatcher:
    """Samples the peak RSS (``VmHWM``) of a process while it runs."""

    def __init__(self, pid_of: Any) -> None:
        self._pid_of = pid_of
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.25):
            pid = self._pid_of()
            if pid:
                self.peak_kib = max(self.peak_kib, _status_kib(pid, "VmHWM"))

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak_kib


def one_run(side: str, n: int, cap_s: float, child_seconds: float = 1.0) -> Dict[str, Any]:
    """One parent of ``n`` children on a fresh double; its figures."""
    module = __import__(f"scale_tasks_{side}")
    with tempfile.TemporaryDirectory(prefix="eager-scale-") as work:
        double = AdminDouble(
            work_root=Path(work),
            source_root=HERE,
            python_paths=[str(ROOT)],
            simulation=Simulation(seconds=child_seconds, outputs=squares),
            kill_grace_seconds=10.0,
        ).start()
        try:
            remote = double.remote(PROJECT, DOMAIN)
            settings = double.serialization_settings(PROJECT, DOMAIN, VERSION)
            parent = remote.execute(module.fan_out, inputs={"n": n}, version=VERSION, serialization_settings=settings)
            name = parent.id.name
            before = double.calls.snapshot()  # the parent's process is still starting: what follows is its calls
            pids = PeakWatcher(lambda: next(iter(double.execution(name).pids), None))
            capped = False
            try:
                double.wait(name, timeout=cap_s)
            except TimeoutError:
                capped = True
            calls = double.calls.since(before)
            sampled_peak = pids.stop()
            children = [e for e in double.executions if e.parent == name]
            done = sum(1 for c in children if c.phase == "SUCCEEDED")
            if capped:
                remote.client.terminate_execution(parent.id, "benchmark: stopped at its time cap")
                double.wait(name, timeout=120)
            info = double.execution(name)
            result: Dict[str, Any] = {
                "side": side,
                "children": n,
                "child_seconds": child_seconds,
                "phase": info.phase,
                "capped_after_s": cap_s if capped else None,
                "wall_s": (info.finished_at - info.started_at).total_seconds() if info.started_at else None,
                "children_created": len(children),
                "children_succeeded": done,
                "calls": calls,
                "calls_per_child": sum(calls.values()) / n,
                "sampled_peak_rss_mib": sampled_peak / 1024,
            }
            if info.phase == "SUCCEEDED":
                (record,) = [r for r in double.store.all() if r.name == name]
                out = [lit.scalar.primitive.integer for lit in record.outputs.literals["o0"].collection.literals]
                total, gather_ms, peak_kib, start_kib, reset = out
                assert total == sum(i * i for i in range(n)), (side, n, total)
                result.update(
                    gather_s=gather_ms / 1000,
                    peak_rss_mib=peak_kib / 1024,
                    start_rss_mib=start_kib / 1024,
                    peak_reset=bool(reset),
                    bytes_per_child=(peak_kib - start_kib) * 1024 / n,
                )
            return result
        finally:
            double.stop()


def fmt(result: Dict[str, Any]) -> str:
    calls = ", ".join(f"{rpc} {count}" for rpc, count in sorted(result["calls"].items()))
    wall = f"{result['wall_s']:.1f} s" if result["wall_s"] is not None else "-"
    if result["capped_after_s"]:
        wall = f"stopped after {result['capped_after_s']:.0f} s"
    memory = (
        f"{result['bytes_per_child'] / 1024:.1f} KiB/child (peak {result['peak_rss_mib']:.0f} MiB)"
        if "bytes_per_child" in result
        else f"sampled peak {result['sampled_peak_rss_mib']:.0f} MiB"
    )
    return (
        f"{result['side']:>8} n={result['children']:>6}: {result['phase']}, wall {wall}, "
        f"children {result['children_succeeded']}/{result['children_created']} succeeded, "
        f"{result['calls_per_child']:.2f} calls/child ({calls}), {memory}"
    )


def summary(results: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Medians per side and size, and the done-when checks."""
    by: Dict[str, Dict[int, List[Dict[str, Any]]]] = {}
    for r in results:
        by.setdefault(r["side"], {}).setdefault(r["children"], []).append(r)

    def median(side: str, n: int, key: str) -> Optional[float]:
        values = [r[key] for r in by.get(side, {}).get(n, []) if r.get(key) is not None and not r["capped_after_s"]]
        return statistics.median(values) if values else None

    checks: Dict[str, Any] = {}
    for n in sorted({r["children"] for r in results}):
        ext_calls, ext_bytes = median("ext", n, "calls_per_child"), median("ext", n, "bytes_per_child")
        ext_wall, fk_wall = median("ext", n, "wall_s"), median("flytekit", n, "wall_s")
        checks[str(n)] = {
            "ext_wall_s": ext_wall,
            "flytekit_wall_s": fk_wall,
            "wall_ratio": ext_wall / fk_wall if ext_wall and fk_wall else None,
            "ext_calls_per_child": ext_calls,
            "flytekit_calls_per_child": median("flytekit", n, "calls_per_child"),
            "ext_bytes_per_child": ext_bytes,
            "flytekit_bytes_per_child": median("flytekit", n, "bytes_per_child"),
        }
    return checks


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--children", default="100,1000,10000", help="comma-separated sizes")
    parser.add_argument("--runs", type=int, default=3, help="runs per size for flytekit_ext (flytekit: one)")
    parser.add_argument("--sides", default="ext,flytekit", help="ext, flytekit or both")
    parser.add_argument(
        "--flytekit-cap", type=float, default=600.0, help="seconds before a flytekit run of 10,000+ children is stopped"
    )
    parser.add_argument("--child-seconds", type=float, default=1.0, help="how long each child takes")
    parser.add_argument("--json", metavar="PATH", help="also write every run and the medians as JSON")
    args = parser.parse_args(argv)
    # Stopped, it stops its double too, which kills the parent it runs (each in a session of its own).
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    sizes = [int(s) for s in args.children.split(",")]
    sides = args.sides.split(",")
    results: List[Dict[str, Any]] = []
    started = time.perf_counter()
    for n in sizes:
        for side in sides:
            runs = args.runs if side == "ext" else 1
            cap = args.flytekit_cap if side == "flytekit" and n >= 10_000 else 1800.0
            for _ in range(runs):
                result = one_run(side, n, cap, args.child_seconds)
                results.append(result)
                print(fmt(result), flush=True)
    checks = summary(results)
    print()
    for n, c in checks.items():
        print(f"n={n}: {json.dumps(c)}")
    print(f"\ntotal benchmark time: {time.perf_counter() - started:.0f} s")
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"runs": results, "medians": checks, "nproc": os.cpu_count()}, out, indent=2)
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
