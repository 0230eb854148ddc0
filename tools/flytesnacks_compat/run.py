#!/usr/bin/env python
"""Run flytesnacks example programs with stock flytekit and with flytekit_ext's task/eager/dynamic, and diff.

    python tools/flytesnacks_compat/run.py FLYTESNACKS [--program GLOB ...] [--mode both|python|pyflyte]
                                           [--timeout SECS] [--work DIR] [--python PY] [--expected FILE]

For every selected program (a ``.py`` file under ``FLYTESNACKS/examples``) the program's project folder
(``examples/<project>``) is copied twice into the work folder: once as it is (``stock``) and once with every
``.py`` in it rewritten by ``swap.py`` (``fxext``). Each copy is run as ``python <file>`` and as
``pyflyte run <file> <entity> [inputs]`` from the project folder, and the normalized stdout and the exit
status of the two are compared. A run that differs is run stock a second time: if stock differs from
itself, the run is reported as ``unstable`` instead of as a difference.

Exit status: 1 if a run differs and is not listed in expected_differences.txt, else 0.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import fnmatch
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from swap import swap_source  # run as a script, so this folder is on sys.path

HERE = Path(__file__).resolve().parent
#: Two copies, named with the same length so that rich's line wrapping is the same for both.
STOCK, SWAP = "stock", "fxext"

#: Project folders whose programs are checked by default (relative to examples/), besides any program in
#: examples/ that uses @eager, @dynamic or map_task.
DEFAULT_DIRS = (
    "basics/basics",
    "advanced_composition/advanced_composition",
    "data_types_and_io/data_types_and_io",
)

#: Programs left out, with the reason (fnmatch patterns relative to examples/). Programs that import a
#: package that is not installed are left out automatically, with the package named.
SKIP: Dict[str, str] = {
    "data_types_and_io/data_types_and_io/file.py": "network: downloads CSV files from raw.githubusercontent.com",
    "data_types_and_io/data_types_and_io/folder.py": "network: downloads CSV files from raw.githubusercontent.com",
    "data_types_and_io/data_types_and_io/file_streaming.py": (
        "network and credentials: reads s3://custom-bucket/data.csv and s3://my-s3-bucket/folder"
    ),
    "advanced_composition/advanced_composition/waiting_for_external_inputs.py": (
        "cluster: sleep/wait_for_input/approve gate nodes need a Flyte backend (no __main__, no local runs)"
    ),
    "chatgpt_agent/*": "network and secrets: calls the OpenAI API and needs API tokens (flytekitplugins-openai)",
    "neptune_plugin/*": "network and secrets: logs to neptune.ai with an API token (flytekitplugins-neptune)",
}

#: Single runs left out, with the reason, by run key (see Run.key).
SKIP_RUNS: Dict[str, str] = {
    "k8s_pod_plugin/k8s_pod_plugin/pod.py::python": (
        "cluster: __main__ runs multiple_containers_pod_workflow, whose task waits forever for a file that a"
        " sidecar container of its k8s pod writes"
    ),
    "k8s_pod_plugin/k8s_pod_plugin/pod.py::pyflyte::multiple_containers_pod_workflow": (
        "cluster: its task waits forever for a file that a sidecar container of its k8s pod writes"
    ),
}

#: Extra pyflyte runs for entities whose inputs have no defaults and that no __main__ block calls, read from
#: inputs.txt next to this script: "<program> <entity> [--name value ...]".
INPUTS_FILE = HERE / "inputs.txt"
EXPECTED_FILE = HERE / "expected_differences.txt"

_ENTITY_DECORATORS = {"workflow", "eager", "dynamic", "task"}


# --------------------------------------------------------------------------------------------- selection


@dataclasses.dataclass
class Run:
    program: str  # relative to examples/
    mode: str  # "python" or "pyflyte"
    entity: str = ""  # pyflyte only
    args: Tuple[str, ...] = ()
    status: str = ""  # same | DIFF | expected | unstable | skipped | timeout
    detail: str = ""
    #: The outputs differ only in traceback frames of code outside the program (see strip_library_frames).
    library_frames_only: bool = False

    @property
    def key(self) -> str:
        """How expected_differences.txt names the run: program::python or program::pyflyte::entity [inputs]."""
        if self.mode == "python":
            return f"{self.program}::python"
        return f"{self.program}::pyflyte::" + " ".join((self.entity, *self.args))

    @property
    def label(self) -> str:
        if self.mode == "python":
            return "python"
        return " ".join(("pyflyte run", self.entity, *self.args))

    @property
    def stem(self) -> str:
        """File name stem of the run's saved outputs."""
        return re.sub(r"[^A-Za-z0-9_.=-]+", "_", self.key).strip("_")


@dataclasses.dataclass
class Program:
    rel: str  # relative to examples/
    path: Path
    skip: str = ""
    runs: List[Run] = dataclasses.field(default_factory=list)
    notes: List[str] = dataclasses.field(default_factory=list)

    @property
    def project(self) -> str:
        return self.rel.split("/", 1)[0]


def _uses_eager_dynamic_or_map(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in {"eager", "dynamic", "map_task"}:
            return True
        if isinstance(node, ast.Attribute) and node.attr in {"eager", "dynamic", "map_task"}:
            return True
        if isinstance(node, ast.ImportFrom) and any(a.name in {"eager", "dynamic", "map_task"} for a in node.names):
            return True
    return False


def select_programs(examples: Path, patterns: Sequence[str]) -> List[Program]:
    found: Dict[str, Path] = {}
    for d in DEFAULT_DIRS:
        for p in sorted((examples / d).glob("*.py")):
            if p.name != "__init__.py":
                found[p.relative_to(examples).as_posix()] = p
    for p in sorted(examples.rglob("*.py")):
        rel = p.relative_to(examples).as_posix()
        if rel in found or p.name == "__init__.py":
            continue
        try:
            tree = ast.parse(p.read_text(encoding="utf-8"))
        except SyntaxError:
            continue
        if _uses_eager_dynamic_or_map(tree):
            found[rel] = p
    if patterns:
        found = {r: p for r, p in found.items() if any(fnmatch.fnmatch(r, pat) for pat in patterns)}
    return [Program(rel, p) for rel, p in sorted(found.items())]


def _imported_top_modules(tree: ast.AST) -> List[str]:
    mods: List[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            mods.extend(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            mods.append(node.module.split(".")[0])
    return mods


def _program_modules(path: Path) -> List[str]:
    """Top-level non-stdlib modules a program imports, its sibling modules' imports included."""
    siblings = {p.stem: p for p in path.parent.glob("*.py")}
    todo, done, mods = [path], set(), set()
    while todo:
        f = todo.pop()
        if f in done:
            continue
        done.add(f)
        tree = ast.parse(f.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module in siblings:
                todo.append(siblings[node.module])
        for m in _imported_top_modules(tree):
            if m in siblings:
                todo.append(siblings[m])
            elif m not in sys.stdlib_module_names and m != path.parent.name:
                mods.add(m)
    return sorted(mods)


def missing_modules(python: str, programs: Sequence[Program]) -> Dict[str, List[str]]:
    """Per program, the top-level modules it (or a sibling module it imports) imports that are not installed."""
    wanted = {prog.rel: _program_modules(prog.path) for prog in programs}
    every = sorted({m for mods in wanted.values() for m in mods})
    code = (
        "import importlib.util, json, sys; "
        "print(json.dumps([m for m in sys.argv[1:] if importlib.util.find_spec(m) is None]))"
    )
    out = subprocess.run([python, "-c", code, *every], capture_output=True, text=True, check=True).stdout
    absent = set(json.loads(out))
    return {rel: [m for m in mods if m in absent] for rel, mods in wanted.items()}


def _literal(node: ast.expr, env: Dict[str, object]) -> object:
    if isinstance(node, ast.Name) and node.id in env:
        return env[node.id]
    try:
        return ast.literal_eval(node)
    except ValueError:
        raise ValueError(f"{ast.unparse(node)!r} is not a literal") from None


def _cli_args(kwargs: Dict[str, object]) -> Tuple[str, ...]:
    args: List[str] = []
    for name, value in kwargs.items():
        if isinstance(value, bool):
            args.append(f"--{name}" if value else f"--no_{name}")
        elif isinstance(value, (list, dict, tuple)):
            args += [f"--{name}", json.dumps(value)]
        else:
            args += [f"--{name}", str(value)]
    return tuple(args)


def _is_main_block(node: ast.stmt) -> bool:
    if not isinstance(node, ast.If):
        return False
    t = node.test
    return (
        isinstance(t, ast.Compare)
        and isinstance(t.left, ast.Name)
        and t.left.id == "__name__"
        and len(t.comparators) == 1
        and isinstance(t.comparators[0], ast.Constant)
        and t.comparators[0].value == "__main__"
    )


def _decorator_name(d: ast.expr) -> str:
    if isinstance(d, ast.Call):
        d = d.func
    if isinstance(d, ast.Attribute):
        return d.attr
    if isinstance(d, ast.Name):
        return d.id
    return ""


def plan_pyflyte_runs(prog: Program, extra: Dict[str, List[Tuple[str, Tuple[str, ...]]]]) -> None:
    """The pyflyte runs of a program: the entities its __main__ blocks call, else its workflows/eager tasks."""
    tree = ast.parse(prog.path.read_text(encoding="utf-8"))
    top_defs: Dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
    top_names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            top_defs[node.name] = node
            top_names.add(node.name)
        elif isinstance(node, ast.Assign):
            top_names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            top_names.update((a.asname or a.name).split(".")[0] for a in node.names)
    entity_names = {
        name
        for name, fn in top_defs.items()
        if any(_decorator_name(d) in _ENTITY_DECORATORS for d in fn.decorator_list)
    } | {n for n in top_names if n not in top_defs}

    planned: List[Run] = []
    seen = set()
    for block in (n for n in tree.body if _is_main_block(n)):
        assert isinstance(block, ast.If)
        env: Dict[str, object] = {}
        for stmt in block.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                try:
                    env[stmt.targets[0].id] = _literal(stmt.value, env)
                except ValueError:
                    pass
        for call in ast.walk(block):
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in entity_names):
                continue
            name = call.func.id
            run = Run(prog.rel, "pyflyte", name)
            try:
                if call.args:
                    raise ValueError("positional arguments")
                kwargs = {}
                for kw in call.keywords:
                    if kw.arg is None:
                        raise ValueError("**kwargs")
                    kwargs[kw.arg] = _literal(kw.value, env)
                run.args = _cli_args(kwargs)
            except ValueError as e:
                run.status, run.detail = "skipped", f"__main__ calls it with {e} (add it to inputs.txt)"
            if (run.entity, run.args) not in seen:
                seen.add((run.entity, run.args))
                planned.append(run)

    if not planned:
        # No __main__ call: every workflow and eager task with defaults for all inputs.
        for name, fn in top_defs.items():
            if not any(_decorator_name(d) in {"workflow", "eager"} for d in fn.decorator_list):
                continue
            run = Run(prog.rel, "pyflyte", name)
            a = fn.args
            required = len(a.args) - len(a.defaults) + sum(1 for d in a.kw_defaults if d is None)
            if required:
                run.status, run.detail = (
                    "skipped",
                    "inputs without defaults and no __main__ call (add it to inputs.txt)",
                )
            planned.append(run)

    for entity, args in extra.get(prog.rel, []):
        planned = [r for r in planned if not (r.entity == entity and r.status == "skipped")]
        if (entity, args) not in {(r.entity, r.args) for r in planned}:
            planned.append(Run(prog.rel, "pyflyte", entity, args))
    prog.runs.extend(planned)


def read_inputs(path: Path) -> Dict[str, List[Tuple[str, Tuple[str, ...]]]]:
    out: Dict[str, List[Tuple[str, Tuple[str, ...]]]] = {}
    if not path.exists():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        program, entity, *args = shlex.split(line)
        out.setdefault(program, []).append((entity, tuple(args)))
    return out


LIBRARY_FRAMES = "[library-frames]"


def read_expected(path: Path) -> Dict[str, Tuple[str, bool]]:
    """Run key -> (reason, whether the entry accepts only differences in library traceback frames)."""
    out: Dict[str, Tuple[str, bool]] = {}
    if not path.exists():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, _, reason = line.partition(" # ")
        if not reason.strip():
            raise SystemExit(f"{path}: entry without a reason: {line!r}")
        key = key.strip()
        frames_only = key.endswith(LIBRARY_FRAMES)
        if frames_only:
            key = key[: -len(LIBRARY_FRAMES)].strip()
        out[key] = (reason.strip(), frames_only)
    return out


# --------------------------------------------------------------------------------------------- copies


def make_copies(examples: Path, project: str, work: Path) -> Tuple[Path, Path, Dict[str, Tuple[int, List[str]]]]:
    """Copy examples/<project> to work/stock/<project> and a swapped one to work/fxext/<project>."""
    stock = work / STOCK / project
    swapped = work / SWAP / project
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
    for dst in (stock, swapped):
        if dst.exists():
            shutil.rmtree(dst)
        shutil.copytree(examples / project, dst, ignore=ignore)
    report: Dict[str, Tuple[int, List[str]]] = {}
    for py in sorted(swapped.rglob("*.py")):
        result = swap_source(py.read_text(encoding="utf-8"))
        py.write_text(result.source, encoding="utf-8")
        report[f"{project}/{py.relative_to(swapped).as_posix()}"] = (result.rewrites, result.unhandled)
    return stock, swapped, report


# --------------------------------------------------------------------------------------------- running


@dataclasses.dataclass
class Outcome:
    code: Optional[int]  # None: timed out
    stdout: str
    stderr: str


def execute(cmd: Sequence[str], cwd: Path, timeout: float, env: Dict[str, str]) -> Outcome:
    try:
        p = subprocess.run(list(cmd), cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
        return Outcome(p.returncode, p.stdout, p.stderr)
    except subprocess.TimeoutExpired as e:

        def _s(b: object) -> str:
            return b.decode(errors="replace") if isinstance(b, bytes) else str(b or "")

        return Outcome(None, _s(e.stdout), _s(e.stderr))


class Normalizer:
    """Replace what legitimately differs from run to run; see README.md ("What is normalized")."""

    def __init__(self, work: Path) -> None:
        roots = {str(work), str(work.resolve())}
        self._roots = sorted(roots, key=len, reverse=True)
        # The temp folder, also without its leading "/" (as tar prints the members it archives).
        tmp = r"(?<![\w.])/?" + re.escape(tempfile.gettempdir().strip("/"))
        self._subs: List[Tuple[re.Pattern[str], str]] = [
            # random temp folders/files: flytekit's sandbox (/tmp/flyte-xxxxxxxx, /tmp/flytexxxxxxxx), tempfile's
            (re.compile(tmp + r"/[A-Za-z0-9_.\-]*?(?:tmp|flyte)[A-Za-z0-9_\-]{6,}(?=[/\s'\"),\]}:]|$)"), "<TMP>"),
            # hex/random path components and ids flytekit makes per run (raw output prefixes, local exec ids)
            (re.compile(r"(?<=/)[0-9a-f]{16,}(?=[./\s'\"),\]}]|$)"), "<HEX>"),
            (re.compile(r"\b[a-z0-9]{20}\b(?=[\s'\"),\]}]|$)"), "<ID>"),
            (re.compile(r"0x[0-9a-fA-F]{6,}"), "0x<ADDR>"),
            (
                re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?"),
                "<TIMESTAMP>",
            ),
            (re.compile(r"\b\d{2}:\d{2}:\d{2}(?:[.,]\d+)?\b"), "<TIME>"),
        ]

    def __call__(self, text: str) -> str:
        for root in self._roots:
            text = text.replace(f"{root}/{STOCK}/", "<ROOT>/").replace(f"{root}/{SWAP}/", "<ROOT>/")
        for pattern, repl in self._subs:
            text = pattern.sub(repl, text)
        return text


_RICH_FRAME = re.compile(r"^│ (\S+?):\d+ in\b")
_PLAIN_FRAME = re.compile(r'^\s*File "([^"]+)", line \d+')


def strip_library_frames(text: str) -> str:
    """Drop the traceback frames of code outside the program's copy (Python, flytekit, flytekit_ext).

    Not a normalization: used only to say whether two outputs differ *only* in such frames (shown in the
    detail, and required by ``[library-frames]`` entries of expected_differences.txt).
    """
    out: List[str] = []
    in_rich = dropping = False
    for line in text.splitlines():
        if line.startswith("╭") and "Traceback" in line:
            in_rich, dropping = True, False
        elif in_rich and line.startswith("╰"):
            in_rich, dropping = False, False
        elif in_rich:
            m = _RICH_FRAME.match(line)
            if m:
                dropping = not m.group(1).startswith("<ROOT>/")
        else:
            m = _PLAIN_FRAME.match(line)
            if m:
                dropping = not m.group(1).startswith("<ROOT>/")
            elif dropping and not line.startswith("    "):
                dropping = False
        if not dropping:
            out.append(line)
    return "\n".join(out)


def first_difference(a: str, b: str, names: Tuple[str, str] = (STOCK, SWAP)) -> str:
    la, lb = a.splitlines(), b.splitlines()
    for i, (x, y) in enumerate(zip(la, lb)):
        if x != y:
            return f"line {i + 1}: {names[0]} {x.strip()[:150]!r} / {names[1]} {y.strip()[:150]!r}"
    if len(la) != len(lb):
        longer, who = (la, names[0]) if len(la) > len(lb) else (lb, names[1])
        extra = longer[min(len(la), len(lb))]
        return f"line {min(len(la), len(lb)) + 1}: only {who} has {extra.strip()[:150]!r}"
    return ""


def run_one(
    run: Run,
    prog: Program,
    copies: Tuple[Path, Path],
    python: str,
    pyflyte: str,
    timeout: float,
    norm: Normalizer,
    out_dir: Path,
) -> None:
    project_rel = prog.rel.split("/", 1)[1]
    env = dict(os.environ)
    env.update({"PYTHONHASHSEED": "0", "COLUMNS": "200", "PYTHONDONTWRITEBYTECODE": "1", "NO_COLOR": "1"})
    env.pop("PYTHONPATH", None)

    def cmd_for() -> List[str]:
        if run.mode == "python":
            return [python, project_rel]
        return [pyflyte, "run", project_rel, run.entity, *run.args]

    stem = run.stem
    results: Dict[str, Outcome] = {}
    for name, root in ((STOCK, copies[0]), (SWAP, copies[1])):
        res = execute(cmd_for(), root, timeout, env)
        results[name] = res
        (out_dir / f"{stem}.{name}.stdout").write_text(res.stdout, encoding="utf-8")
        (out_dir / f"{stem}.{name}.stderr").write_text(res.stderr, encoding="utf-8")
    a, b = results[STOCK], results[SWAP]
    if a.code is None or b.code is None:
        who = " and ".join(n for n, r in results.items() if r.code is None)
        run.status, run.detail = "timeout", f"{who} timed out after {timeout:.0f}s"
        return
    na, nb = norm(a.stdout), norm(b.stdout)
    (out_dir / f"{stem}.{STOCK}.stdout.norm").write_text(na, encoding="utf-8")
    (out_dir / f"{stem}.{SWAP}.stdout.norm").write_text(nb, encoding="utf-8")
    if na == nb and a.code == b.code:
        run.status = "same"
        run.detail = f"both exit {a.code}" if a.code else ""
        return
    detail = []
    if a.code != b.code:
        detail.append(f"exit {a.code} vs {b.code}")
    if na != nb:
        detail.append(first_difference(na, nb))
    run.status, run.detail = "DIFF", "; ".join(detail)
    run.library_frames_only = a.code == b.code and strip_library_frames(na) == strip_library_frames(nb)
    if run.library_frames_only:
        run.detail = "only traceback frames outside the program differ; " + run.detail
    # Does stock differ from itself? Then the program's output is not deterministic.
    again = execute(cmd_for(), copies[0], timeout, env)
    if again.code is not None and (norm(again.stdout) != na or again.code != a.code):
        run.status = "unstable"
        run.detail = "stock differs from itself: " + (
            first_difference(na, norm(again.stdout), ("stock", "stock again")) or "exit status"
        )


# --------------------------------------------------------------------------------------------- main


def _table(rows: List[Tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, r in enumerate(rows):
        lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("flytesnacks", type=Path, help="a flytesnacks checkout (the folder that holds examples/)")
    ap.add_argument(
        "--program", action="append", default=[], metavar="GLOB", help="only programs matching (relative to examples/)"
    )
    ap.add_argument("--mode", choices=("both", "python", "pyflyte"), default="both")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per run (default 300)")
    ap.add_argument("--work", type=Path, help="folder for the copies and outputs (default: a new temp folder)")
    ap.add_argument(
        "--python", default=sys.executable, help="interpreter with flytekit and flytekit_ext (default: this one)"
    )
    ap.add_argument("--expected", type=Path, default=EXPECTED_FILE, help="expected differences file")
    ap.add_argument("--list", action="store_true", help="only list the selected programs, runs and skips")
    ns = ap.parse_args(argv)

    examples = (ns.flytesnacks / "examples").resolve()
    if not examples.is_dir():
        ap.error(f"{ns.flytesnacks} has no examples/ folder")
    python = ns.python
    pyflyte = str(Path(python).parent / "pyflyte")
    if not Path(pyflyte).exists():
        found = shutil.which("pyflyte")
        if not found:
            ap.error("no pyflyte next to --python nor on PATH")
        pyflyte = found
    check = subprocess.run(
        [python, "-c", "import flytekit, flytekit_ext; print(flytekit.__version__)"], capture_output=True, text=True
    )
    if check.returncode != 0:
        ap.error(f"{python} cannot import flytekit and flytekit_ext:\n{check.stderr}")
    print(f"flytekit {check.stdout.strip()}, interpreter {python}")

    expected = read_expected(ns.expected)
    extra = read_inputs(INPUTS_FILE)
    programs = select_programs(examples, ns.program)
    missing = missing_modules(python, programs)
    for prog in programs:
        reason = next((r for pat, r in SKIP.items() if fnmatch.fnmatch(prog.rel, pat)), "")
        if not reason and missing[prog.rel]:
            reason = "needs uninstalled package(s): " + ", ".join(missing[prog.rel])
        prog.skip = reason
        if reason:
            continue
        if ns.mode in ("both", "python"):
            prog.runs.append(Run(prog.rel, "python"))
        if ns.mode in ("both", "pyflyte"):
            plan_pyflyte_runs(prog, extra)
        for run in prog.runs:
            if run.key in SKIP_RUNS:
                run.status, run.detail = "skipped", SKIP_RUNS[run.key]

    if ns.list:
        for prog in programs:
            print(prog.rel + (f"  SKIPPED: {prog.skip}" if prog.skip else ""))
            for r in prog.runs:
                print(f"    {r.label}" + (f"  SKIPPED: {r.detail}" if r.status == "skipped" else ""))
        return 0

    work = ns.work or Path(tempfile.mkdtemp(prefix="flytesnacks-compat-"))
    work.mkdir(parents=True, exist_ok=True)
    work = work.resolve()
    out_dir = work / "outputs"
    out_dir.mkdir(exist_ok=True)
    norm = Normalizer(work)
    print(f"work folder (copies and outputs): {work}\n")

    copies: Dict[str, Tuple[Path, Path]] = {}
    rewrites: Dict[str, int] = {}  # per copied file: how many imports/references were pointed at flytekit_ext
    for prog in programs:
        if prog.skip or not prog.runs:
            continue
        if prog.project not in copies:
            stock, swapped, report = make_copies(examples, prog.project, work)
            copies[prog.project] = (stock, swapped)
            for f, (n, unhandled) in report.items():
                rewrites[f] = n
                if unhandled:
                    print(f"warning: {f}: not fully swapped: {'; '.join(unhandled)}")
        for run in prog.runs:
            if run.status == "skipped":
                continue
            t0 = time.monotonic()
            run_one(run, prog, copies[prog.project], python, pyflyte, ns.timeout, norm, out_dir)
            if run.status in ("DIFF", "unstable") and run.key in expected:
                reason, frames_only = expected[run.key]
                if not frames_only or run.library_frames_only:
                    run.status, run.detail = "expected", reason
                else:
                    run.detail += f" (listed as {LIBRARY_FRAMES} only, but more differs)"
            print(f"{run.status:9} {time.monotonic() - t0:6.1f}s  {run.key}", flush=True)

    # ----- report
    rows: List[Tuple[str, ...]] = [("program", "swaps", "run", "result", "detail")]
    for prog in programs:
        if prog.skip:
            rows.append((prog.rel, "-", "-", "skipped", prog.skip))
        for r in prog.runs:
            rows.append((prog.rel, str(rewrites.get(prog.rel, "-")), r.label, r.status, r.detail))
    print()
    print(_table(rows))

    runs = [r for p in programs for r in p.runs]
    by_mode: Dict[str, Dict[str, int]] = {}
    for r in runs:
        by_mode.setdefault(r.mode, {}).setdefault(r.status, 0)
        by_mode[r.mode][r.status] += 1
    tested = [p for p in programs if not p.skip]
    print(f"\n{len(programs)} programs: {len(tested)} run, {len(programs) - len(tested)} skipped")
    for mode, counts in sorted(by_mode.items()):
        print(f"  {mode}: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
    unexpected = [r for r in runs if r.status in ("DIFF", "timeout")]
    stale = sorted(set(expected) - {r.key for r in runs if r.status == "expected"})
    ran = {r.key for r in runs if r.status not in ("skipped", "")}
    for key in stale:
        if key in ran:
            print(f"note: {key} is listed in {ns.expected.name} but no longer differs")
    print(f"outputs: {out_dir}")
    if unexpected:
        print(f"\n{len(unexpected)} unexpected difference(s):")
        for r in unexpected:
            print(f"  {r.key}: {r.detail}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
