#!/usr/bin/env python
"""Profile the hot paths that bench.py measures, with pyinstrument (``pip install pyinstrument``).

    python benchmarks/profile_hot.py [add|workflow|eager_sequential|eager_gathered ...] [--side flytekit]

Prints one call tree per scenario (flytekit_ext's side unless ``--side flytekit``), after a warm-up.
pyinstrument hooks every call, so absolute times are inflated (3-5x for the fine-grained add path);
read the shares, and use bench.py for the times.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import Any, Callable, Dict, Tuple

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench  # noqa: E402


def scenarios(m: Any) -> Dict[str, Tuple[Callable[[], Any], int]]:
    """name -> (one unit of work, repetitions inside the profile)"""
    n = bench.EAGER_CHILDREN
    return {
        "add": (lambda: m.add(x=1), 20_000),
        "workflow": (lambda: m.chain(x=0), 100),
        "eager_sequential": (lambda: asyncio.run(m.eager_sequential(n=n)), 5),
        "eager_gathered": (lambda: asyncio.run(m.eager_gathered(n=n)), 5),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("which", nargs="*", default=["add", "workflow", "eager_sequential", "eager_gathered"])
    parser.add_argument("--side", choices=["flytekit_ext", "flytekit"], default="flytekit_ext")
    parser.add_argument("--all-frames", action="store_true", help="do not hide library frames")
    args = parser.parse_args()

    import pyinstrument

    if args.side == "flytekit":
        import flytekit as decorators
    else:
        import flytekit_ext as decorators
    module = bench.load_bodies(f"bench_{args.side}", decorators)
    table = scenarios(module)
    for name in args.which:
        work, repetitions = table[name]
        work()  # warm-up
        profiler = pyinstrument.Profiler(interval=0.0001, async_mode="disabled")
        profiler.start()
        for _ in range(repetitions):
            work()
        profiler.stop()
        print(f"===== {args.side}: {name} x {repetitions}")
        print(profiler.output_text(unicode=False, color=False, show_all=args.all_frames))
    return 0


if __name__ == "__main__":
    sys.exit(main())
