#!/usr/bin/env python
"""Merge per-test results, and diff flytekit_ext (swapped) runs against stock-flytekit baselines.

compare.py merge PASS.jsonl... --out-dir DIR
    Combine the JSON-lines files written by flytekit_compat_results into DIR/results.txt ("nodeid outcome"
    lines, sorted), DIR/messages.json (nodeid -> first line of the failure) and DIR/summary.txt (counts).

compare.py diff ROOT [--suite NAME ...]
compare.py diff BASELINE SWAPPED
    ROOT is a results root written by run.py (ROOT/<suite>/{stock,swap}/); BASELINE and SWAPPED are two
    results directories (or results.txt files). For each suite, prints the counts of both runs and every test
    that passes (or xfails) with stock flytekit but not with flytekit_ext, grouped by test module with the
    first line of its failure. Tests named in the expected-differences file (default: expected_differences.txt
    next to this script) are shown apart as "expected" with their reason. Exit status 1 if there is any other
    regression.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, TextIO, Tuple

HERE = Path(__file__).resolve().parent
DEFAULT_EXPECTED = HERE / "expected_differences.txt"
OUTCOME_ORDER = ("passed", "failed", "error", "skipped", "xfailed", "xpassed")
PASSING = ("passed", "xfailed")
# When a nodeid shows up more than once (e.g. in both passes), keep the most informative outcome.
_RANK = {"error": 5, "failed": 4, "xpassed": 3, "passed": 2, "xfailed": 1, "skipped": 0}


def merge(paths: Iterable[Path]) -> Tuple[Dict[str, str], Dict[str, str]]:
    outcomes: Dict[str, str] = {}
    messages: Dict[str, str] = {}
    for path in paths:
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
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


def counts_line(outcomes: Dict[str, str]) -> str:
    c = Counter(outcomes.values())
    return f"{len(outcomes)} tests: " + ", ".join(f"{c[k]} {k}" for k in OUTCOME_ORDER if c.get(k))


def write_merged(paths: Sequence[Path], out_dir: Path) -> str:
    """Write results.txt, messages.json and summary.txt in ``out_dir``; returns the counts line."""
    outcomes, messages = merge(paths)
    (out_dir / "results.txt").write_text("".join(f"{n} {outcomes[n]}\n" for n in sorted(outcomes)), encoding="utf-8")
    (out_dir / "messages.json").write_text(json.dumps(messages, indent=1, sort_keys=True), encoding="utf-8")
    line = counts_line(outcomes)
    (out_dir / "summary.txt").write_text(line + "\n", encoding="utf-8")
    return line


def write_task_classes(paths: Sequence[Path], out_dir: Path) -> None:
    """Add up the per-process task-class counts into ``out_dir/task_classes.json``."""
    total: Counter = Counter()
    for path in paths:
        total.update(json.loads(path.read_text(encoding="utf-8")))
    (out_dir / "task_classes.json").write_text(json.dumps(dict(total), indent=1, sort_keys=True), encoding="utf-8")


def task_classes_line(classes: Dict[str, int], top: int = 4) -> str:
    """How many of the tasks a run created are flytekit_ext's, and the most common other classes."""
    if not classes:
        return "none"
    ours = sum(n for cls, n in classes.items() if cls.startswith("flytekit_ext."))
    others = Counter({cls: n for cls, n in classes.items() if not cls.startswith("flytekit_ext.")})
    listed = ", ".join(f"{cls} {n}" for cls, n in others.most_common(top))
    more = f", {len(others) - top} more classes" if len(others) > top else ""
    return f"{ours} flytekit_ext, {sum(others.values())} other" + (f" ({listed}{more})" if others else "")


@dataclass
class Run:
    outcomes: Dict[str, str] = field(default_factory=dict)
    messages: Dict[str, str] = field(default_factory=dict)
    skipped: Optional[str] = None  # why the whole suite did not run
    broken: Optional[str] = None  # how a pytest pass broke (internal error, interrupted), so results are partial
    task_classes: Optional[Dict[str, int]] = None  # class name -> tasks of it created in the run, if counted

    @property
    def counts(self) -> str:
        if self.skipped is not None:
            return f"skipped ({self.skipped})"
        line = counts_line(self.outcomes)
        return f"{line} [BROKEN RUN: {self.broken}]" if self.broken else line


def load_run(path: Path) -> Run:
    directory = path if path.is_dir() else path.parent
    results = path / "results.txt" if path.is_dir() else path
    skip_file = directory / "skipped.txt"
    if skip_file.exists():
        return Run(skipped=skip_file.read_text(encoding="utf-8").strip())
    if not results.exists():
        return Run(broken=f"no results in {directory}")
    run = Run()
    for line in results.read_text(encoding="utf-8").splitlines():
        if line.strip():
            nodeid, _, outcome = line.rpartition(" ")
            run.outcomes[nodeid] = outcome
    broken = directory / "broken.txt"
    if broken.exists():
        run.broken = broken.read_text(encoding="utf-8").strip().replace("\n", "; ")
    messages = directory / "messages.json"
    if messages.exists():
        run.messages = json.loads(messages.read_text(encoding="utf-8"))
    classes = directory / "task_classes.json"
    if classes.exists():
        run.task_classes = json.loads(classes.read_text(encoding="utf-8"))
    return run


def load_expected(path: Path) -> Dict[str, str]:
    """nodeid -> reason, from lines ``NODEID  # reason``; blank lines and lines starting with # are comments."""
    expected: Dict[str, str] = {}
    if not path.exists():
        return expected
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        nodeid, sep, reason = line.partition(" # ")
        if not sep or not reason.strip():
            raise SystemExit(f"{path}:{number}: an entry needs a reason: 'NODEID  # reason'")
        expected[nodeid.strip()] = reason.strip()
    return expected


def _module(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def _print_grouped(title: str, rows: List[Tuple[str, str]], out: TextIO) -> None:
    print(f"\n  -- {title}: {len(rows)}", file=out)
    grouped: Dict[str, List[Tuple[str, str]]] = defaultdict(list)
    for nodeid, detail in rows:
        grouped[_module(nodeid)].append((nodeid, detail))
    for module in sorted(grouped):
        print(f"\n  {module} ({len(grouped[module])})", file=out)
        for nodeid, detail in sorted(grouped[module]):
            print(f"    {nodeid[len(module) + 2 :] if '::' in nodeid else nodeid}", file=out)
            if detail:
                print(f"        {detail}", file=out)


@dataclass
class SuiteDiff:
    regressions: List[Tuple[str, str]]
    expected: List[Tuple[str, str]]
    fixed: List[Tuple[str, str]]
    module_errors: Dict[str, str]


def diff_runs(base: Run, swap: Run, expected: Dict[str, str]) -> SuiteDiff:
    # A module that fails to import is one collection error whose nodeid is the module path; only those that
    # import with stock flytekit say something about flytekit_ext.
    module_errors = {
        n: swap.messages.get(n, "")
        for n, o in swap.outcomes.items()
        if "::" not in n and o == "error" and base.outcomes.get(n) != "error"
    }
    regressions: List[Tuple[str, str]] = []
    listed: List[Tuple[str, str]] = []
    for nodeid, outcome in base.outcomes.items():
        new = swap.outcomes.get(nodeid)
        if outcome not in PASSING or new == outcome:
            continue
        if new is None:
            why = module_errors.get(_module(nodeid))
            detail = "not run (" + ("module collection error: " + why if why is not None else "missing") + ")"
        else:
            detail = f"{outcome} -> {new}: {swap.messages.get(nodeid, '')}".rstrip(": ")
        if nodeid in expected:
            listed.append((nodeid, f"{detail}\n        expected: {expected[nodeid]}"))
        else:
            regressions.append((nodeid, detail))
    fixed = [
        (n, f"{o} -> {swap.outcomes[n]}")
        for n, o in base.outcomes.items()
        if o in ("failed", "error") and swap.outcomes.get(n) == "passed"
    ]
    return SuiteDiff(regressions, listed, fixed, module_errors)


def report_suite(name: str, base: Run, swap: Run, expected: Dict[str, str], out: TextIO) -> Optional[SuiteDiff]:
    print(f"\n==== {name}", file=out)
    print(f"  stock:   {base.counts}", file=out)
    print(f"  swapped: {swap.counts}", file=out)
    if base.skipped is not None or swap.skipped is not None or not (base.outcomes and swap.outcomes):
        return None
    if swap.task_classes is not None:
        # Zero flytekit_ext tasks means the swap changed nothing here: no regressions is then no evidence.
        print(f"  tasks made in the swapped run: {task_classes_line(swap.task_classes)}", file=out)
    result = diff_runs(base, swap, expected)
    _print_grouped("REGRESSIONS (pass with stock flytekit, not with flytekit_ext)", result.regressions, out)
    if result.expected:
        _print_grouped("expected (listed in the expected-differences file)", result.expected, out)
    if result.module_errors:
        _print_grouped("modules that failed to import in the swapped run", sorted(result.module_errors.items()), out)
    if result.fixed:
        _print_grouped("fixed (fail with stock flytekit, pass with flytekit_ext)", result.fixed, out)
    return result


def _stale_entries(expected: Dict[str, str], runs: List[Tuple[Run, Run]], diffs: List[SuiteDiff]) -> List[str]:
    """Listed tests that were run in some suite and are no longer a difference: candidates for removal."""
    seen = {n for base, _ in runs for n in base.outcomes}
    differing = {n for d in diffs for n, _ in d.expected}
    return sorted(n for n in expected if n in seen and n not in differing)


def diff_pairs(pairs: List[Tuple[str, Path, Path]], expected_path: Path, out: TextIO = sys.stdout) -> int:
    expected = load_expected(expected_path)
    rows: List[Tuple[str, str, str, str, str]] = []
    diffs: List[SuiteDiff] = []
    runs: List[Tuple[Run, Run]] = []
    for name, base_path, swap_path in pairs:
        base, swap = load_run(base_path), load_run(swap_path)
        result = report_suite(name, base, swap, expected, out)
        if result is None:
            rows.append((name, base.counts, swap.counts, "-", "-"))
            continue
        diffs.append(result)
        runs.append((base, swap))
        rows.append((name, base.counts, swap.counts, str(len(result.regressions)), str(len(result.expected))))

    stale = _stale_entries(expected, runs, diffs)
    if stale:
        print(f"\n==== expected-differences entries that no longer differ ({len(stale)}): remove them", file=out)
        for nodeid in stale:
            print(f"  {nodeid}", file=out)
    print("\n==== summary", file=out)
    for name, base_counts, swap_counts, regressions, listed in rows:
        print(f"  {name}: regressions {regressions}, expected {listed}", file=out)
        print(f"      stock:   {base_counts}", file=out)
        print(f"      swapped: {swap_counts}", file=out)
    total = sum(len(d.regressions) for d in diffs)
    broken = [name for name, base_path, swap_path in pairs if load_run(base_path).broken or load_run(swap_path).broken]
    print(f"\n{total} regression(s)", file=out)
    if broken:
        print(f"incomplete or missing results in {', '.join(broken)} (see above)", file=out)
    return 1 if total or broken else 0


def tree_pairs(root: Path, suites: Optional[Sequence[str]] = None) -> List[Tuple[str, Path, Path]]:
    names = suites or sorted(p.name for p in root.iterdir() if (p / "stock").is_dir() or (p / "swap").is_dir())
    return [(name.replace("plugin-", "plugin:", 1), root / name / "stock", root / name / "swap") for name in names]


def diff_tree(root: Path, suites: Optional[Sequence[str]] = None, expected_path: Path = DEFAULT_EXPECTED) -> int:
    return diff_pairs(tree_pairs(root, suites), expected_path)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("merge", help="combine JSON-lines pass results into results.txt / messages.json")
    m.add_argument("inputs", nargs="+", type=Path)
    m.add_argument("--out-dir", required=True, type=Path)
    d = sub.add_parser("diff", help="list tests that pass with stock flytekit but not with flytekit_ext")
    d.add_argument("paths", nargs="+", type=Path, help="ROOT, or BASELINE SWAPPED")
    d.add_argument("--suite", action="append", help="with ROOT: only this suite folder (e.g. core, plugin-spark)")
    d.add_argument("--expected", type=Path, default=DEFAULT_EXPECTED, help="expected-differences file")
    args = parser.parse_args(argv)
    if args.cmd == "merge":
        print(write_merged(args.inputs, args.out_dir))
        return 0
    if len(args.paths) == 1:
        return diff_pairs(tree_pairs(args.paths[0], args.suite), args.expected)
    if len(args.paths) == 2:
        return diff_pairs([(str(args.paths[1]), args.paths[0], args.paths[1])], args.expected)
    parser.error("diff takes ROOT or BASELINE SWAPPED")
    return 2


if __name__ == "__main__":
    sys.exit(main())
