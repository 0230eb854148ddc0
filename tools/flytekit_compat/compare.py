#!/usr/bin/env python
"""Merge per-test results and diff a flytekit_ext (swapped) run against a stock-flytekit baseline.

compare.py merge PASS.jsonl... --out results.txt [--messages messages.json]
    Combine the JSON-lines files written by flytekit_compat_results into "nodeid outcome" lines
    (sorted) plus a nodeid -> first-failure-line map, and print counts per outcome.

compare.py diff BASELINE SWAPPED [--messages messages.json] [--all]
    BASELINE and SWAPPED are results.txt files (or results directories holding results.txt and
    messages.json). Prints every test that passes with stock flytekit but not with flytekit_ext,
    grouped by test module, with the first line of its failure message; then tests that only the
    swapped run passes, and tests present in just one run. Exit status: 1 if there are regressions.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter, defaultdict
from typing import Dict, List, Tuple

OUTCOME_ORDER = ["passed", "failed", "error", "skipped", "xfailed", "xpassed"]
# When a nodeid shows up more than once (e.g. in both passes), keep the most informative outcome.
_RANK = {"error": 5, "failed": 4, "xpassed": 3, "passed": 2, "xfailed": 1, "skipped": 0}


def _merge(paths: List[str]) -> Tuple[Dict[str, str], Dict[str, str]]:
    outcomes: Dict[str, str] = {}
    messages: Dict[str, str] = {}
    for path in paths:
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                line = line.strip()
                if not line:
                    continue
                entry = json.loads(line)
                nodeid, outcome = entry["nodeid"], entry["outcome"]
                if nodeid in outcomes and _RANK.get(outcomes[nodeid], 0) >= _RANK.get(outcome, 0):
                    continue
                outcomes[nodeid] = outcome
                if entry.get("message"):
                    messages[nodeid] = entry["message"]
                else:
                    messages.pop(nodeid, None)
    return outcomes, messages


def _counts_line(outcomes: Dict[str, str]) -> str:
    c = Counter(outcomes.values())
    parts = [f"{c[k]} {k}" for k in OUTCOME_ORDER if c.get(k)]
    return f"{len(outcomes)} tests: " + ", ".join(parts)


def cmd_merge(args: argparse.Namespace) -> int:
    outcomes, messages = _merge(args.inputs)
    with open(args.out, "w", encoding="utf-8") as fh:
        for nodeid in sorted(outcomes):
            fh.write(f"{nodeid} {outcomes[nodeid]}\n")
    if args.messages:
        with open(args.messages, "w", encoding="utf-8") as fh:
            json.dump(messages, fh, indent=1, sort_keys=True)
    print(_counts_line(outcomes))
    return 0


def _load(path: str, messages_path: str | None) -> Tuple[Dict[str, str], Dict[str, str]]:
    if os.path.isdir(path):
        if messages_path is None and os.path.exists(os.path.join(path, "messages.json")):
            messages_path = os.path.join(path, "messages.json")
        path = os.path.join(path, "results.txt")
    elif messages_path is None:
        sibling = os.path.join(os.path.dirname(os.path.abspath(path)), "messages.json")
        messages_path = sibling if os.path.exists(sibling) else None
    outcomes: Dict[str, str] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line.strip():
                continue
            nodeid, _, outcome = line.rpartition(" ")
            outcomes[nodeid] = outcome
    messages: Dict[str, str] = {}
    if messages_path and os.path.exists(messages_path):
        with open(messages_path, encoding="utf-8") as fh:
            messages = json.load(fh)
    return outcomes, messages


def _module(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def _print_grouped(title: str, rows: List[Tuple[str, str]], out) -> None:
    print(f"\n== {title}: {len(rows)}", file=out)
    grouped: Dict[str, List[Tuple[str, str]]] = defaultdict(list)
    for nodeid, detail in rows:
        grouped[_module(nodeid)].append((nodeid, detail))
    for module in sorted(grouped):
        print(f"\n{module} ({len(grouped[module])})", file=out)
        for nodeid, detail in sorted(grouped[module]):
            test = nodeid[len(module) + 2 :] if "::" in nodeid else nodeid
            print(f"  {test}", file=out)
            if detail:
                print(f"      {detail}", file=out)


def cmd_diff(args: argparse.Namespace) -> int:
    base, base_msgs = _load(args.baseline, args.baseline_messages)
    swap, swap_msgs = _load(args.swapped, args.messages)
    out = sys.stdout

    # A module that failed to import in the swapped run shows up as one collection error for the module.
    module_errors = {nid: swap_msgs.get(nid, "") for nid, o in swap.items() if "::" not in nid and o == "error"}

    regressions: List[Tuple[str, str]] = []
    for nodeid, outcome in base.items():
        if outcome not in ("passed", "xfailed"):
            continue
        new = swap.get(nodeid)
        if new == outcome:
            continue
        if new is None:
            mod = _module(nodeid)
            why = module_errors.get(mod)
            detail = f"not run ({'module collection error: ' + why if why is not None else 'missing from swapped run'})"
        else:
            detail = f"{outcome} -> {new}: {swap_msgs.get(nodeid, '')}".rstrip(": ")
        regressions.append((nodeid, detail))

    fixed = [
        (nid, f"{o} -> {swap[nid]}")
        for nid, o in base.items()
        if o in ("failed", "error") and swap.get(nid) == "passed"
    ]
    only_swap = [(nid, o) for nid, o in swap.items() if nid not in base and "::" in nid]

    print(f"baseline: {_counts_line(base)}", file=out)
    print(f"swapped:  {_counts_line(swap)}", file=out)
    _print_grouped("REGRESSIONS (pass with stock flytekit, not with flytekit_ext)", regressions, out)
    if module_errors:
        _print_grouped("modules that failed to import in the swapped run", sorted(module_errors.items()), out)
    _print_grouped("fixed (fail with stock flytekit, pass with flytekit_ext)", fixed, out)
    if args.all:
        _print_grouped("only in swapped run", only_swap, out)
    elif only_swap:
        print(f"\n== only in swapped run: {len(only_swap)} (use --all to list)", file=out)
    return 1 if regressions else 0


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("merge", help="combine JSON-lines pass results into results.txt")
    m.add_argument("inputs", nargs="+")
    m.add_argument("--out", required=True)
    m.add_argument("--messages")
    m.set_defaults(func=cmd_merge)
    d = sub.add_parser("diff", help="list tests that pass with stock flytekit but not with flytekit_ext")
    d.add_argument("baseline", help="baseline results.txt or results directory")
    d.add_argument("swapped", help="swapped results.txt or results directory")
    d.add_argument("--messages", help="messages.json of the swapped run (default: next to results.txt)")
    d.add_argument("--baseline-messages", help="messages.json of the baseline run")
    d.add_argument("--all", action="store_true", help="also list tests present only in the swapped run")
    d.set_defaults(func=cmd_diff)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
