"""Runs Flyte 2's example programs under Flyte 2 and, with their imports changed, under flytekit_ext.flyte.

    run.py record --flyte-python PY SOURCE    select the programs and record what they print under Flyte 2
    run.py check [--python PY] SOURCE          run the rewritten programs and compare with the recording
    run.py usage [--python PY] SOURCE          count the flyte APIs the selected programs use (gap analysis)
    run.py package [--python PY] SOURCE        serialize each rewritten program with `pyflyte package`

SOURCE is a folder holding flyte-sdk's `examples/` at the pinned commit (README.md says how to get it).
"""

from __future__ import annotations

import argparse
import ast
import fnmatch
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from outputs import compare, normalize  # noqa: E402
from rewrite import RewriteError, is_flyte_module, rewrite_checked  # noqa: E402
from usage import apis_of, write_usage_report  # noqa: E402

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
SELECTION = HERE / "selection.json"
RECORDED = HERE / "recorded"
OVERRIDES = HERE / "overrides.txt"

# flyteorg/flyte-sdk: the programs are read at this commit (README.md, "1. Get the programs").
PINNED_COMMIT = "7e2d4231b5598b856584a8cc819c990ff02dcf2a"
FLYTE_VERSION = "2.12.1"

MEMORY_LIMIT = 6 << 30  # a runaway program fails instead of starving the machine

# `package` serializes for this image; nothing is pulled or built, the name only goes into the task specs.
PACKAGE_IMAGE = "example.com/flyte2-examples:v1"

# Why a program cannot run here, from the first pattern its output matches. The patterns marked True are also
# looked for in the output of a program that exits 0 (it caught the error and went on).
_REASONS: list[tuple[re.Pattern[str], str, bool]] = [
    (re.compile(r"No module named '(?!flyte\b)(\w+)"), "needs the package `{}`, not installed", True),
    (
        re.compile(r"\b([\w-]+) is not installed|\bInstall ([\w-]+) to\b|\b([\w-]+) is required for"),
        "needs the package `{}`, not installed",
        False,
    ),
    (
        re.compile(r"\b(?:Client|Organization|Project|Domain) has not been initialized|init_in_cluster"),
        "needs a cluster (a remote-only API, or flyte.init with an endpoint)",
        True,
    ),
    (re.compile(r"InitializationError"), "needs a cluster (a remote-only API, or flyte.init with an endpoint)", False),
    (re.compile(r"EOFError|EOF when reading a line"), "reads from standard input", False),
    (
        re.compile(r"Missing argument|the following arguments are required|Missing required inputs"),
        "needs command-line arguments",
        False,
    ),
    (
        re.compile(r"(?:KeyError|Error): '([A-Z][A-Z0-9_]+)'$|\b([A-Z][A-Z0-9_]+) environment variable must be", re.M),
        "needs the environment variable `{}`",
        False,
    ),
    (re.compile(r"/etc/flyte/secrets"), "needs a secret", False),
    (re.compile(r"\bCUDA\b|\bnvidia-smi\b|no GPU|GPU is not available", re.I), "needs a GPU", False),
    (re.compile(r"Docker is not installed|\bdocker\b", re.I), "needs Docker", False),
    (
        re.compile(
            r"Connection refused|ConnectError|Name or service not known|Temporary failure in name resolution|"
            r"Network is unreachable|Could not resolve host|NoCredentialsError|Generic S3 error"
        ),
        "needs the network or an outside service",
        True,
    ),
]


@dataclass(frozen=True)
class Outcome:
    exit: int | None  # None: timed out
    stdout: str
    stderr: str
    seconds: float


def _program_env(home: Path) -> dict[str, str]:
    """The environment a program runs in: no Flyte configuration anywhere, so Flyte 2 runs it locally."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE", "UCTL", "UNION", "PYTHON"))}
    env.update(HOME=str(home), PYTHONHASHSEED="0", NO_COLOR="1", PYTHONDONTWRITEBYTECODE="1")
    return env


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_program(python: str, program: Path, home: Path, timeout: float) -> Outcome:
    """`python program.py` from the program's folder."""
    return run_command([python, program.name], program.parent, home, timeout)


def run_command(
    command: list[str], cwd: Path, home: Path, timeout: float, extra_env: dict[str, str] | None = None
) -> Outcome:
    """`command` in the programs' environment and `extra_env`, from `cwd`; on a timeout its process group is killed."""
    start = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            command,
            cwd=cwd,
            env={**_program_env(home), **(extra_env or {})},
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
            preexec_fn=_limit_memory,
        )
        try:
            code: int | None = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            code = None
        try:  # also whatever the program left running (servers, pools)
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        out.seek(0)
        err.seek(0)
        stdout, stderr = (f.read().decode(errors="replace") for f in (out, err))
    return Outcome(code, stdout, stderr, time.monotonic() - start)


def recorded_path(program: str) -> Path:
    return RECORDED / (program.removesuffix(".py") + ".txt")


def has_main_block(source: str) -> bool:
    for node in ast.parse(source).body:
        if isinstance(node, ast.If) and "__main__" in ast.unparse(node.test):
            return True
    return False


def imported_modules(source: str) -> list[str]:
    """The modules a program imports, `.` for a relative import."""
    imported: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            imported.append("." if node.level else node.module or "")
    return imported


def is_local(module: str, folder: Path) -> bool:
    head = folder / module.split(".")[0]
    return module == "." or head.with_suffix(".py").exists() or head.is_dir()


def uses_no_flyte(source: str, folder: Path) -> bool:
    """Neither the program nor a module of its folder that it imports imports flyte: a plain Python script."""
    imported = imported_modules(source)
    return not any(is_local(name, folder) or is_flyte_module(name) for name in imported)


def third_party_imports(source: str, folder: Path) -> set[str]:
    """The top-level packages a program imports that are neither flyte nor modules of its own folder."""
    return {m.split(".")[0] for m in imported_modules(source) if not is_flyte_module(m) and not is_local(m, folder)}


def missing_in(python: str, packages: Iterable[str]) -> set[str]:
    """The packages `python` cannot import (looked up, not imported)."""
    probe = (
        "import importlib.util, json, sys; "
        "print(json.dumps([m for m in json.load(sys.stdin) if not importlib.util.find_spec(m)]))"
    )
    result = subprocess.run([python, "-c", probe], input=json.dumps(sorted(packages)), capture_output=True, text=True)
    return set(json.loads(result.stdout))


def serves_an_app(source: str) -> bool:
    return any(api.startswith(("flyte.app", "flyte.serve", "flyte.with_servecontext")) for api in apis_of(source))


def exclusion_reason(outcome: Outcome) -> str | None:
    """Why a program that ran under Flyte 2 is not selected, from its output; None: nothing says so."""
    text = outcome.stdout + outcome.stderr
    for pattern, reason, when_succeeding in _REASONS:
        match = pattern.search(text)
        if match and (outcome.exit != 0 or when_succeeding):
            return reason.format(next((g for g in match.groups() if g), ""))
    return None if outcome.exit == 0 else f"fails under Flyte {FLYTE_VERSION}: {last_error_line(outcome)}"


def last_error_line(outcome: Outcome) -> str:
    """The exception line of the last traceback in the output (`ValueError: ...`), else its last line."""
    lines = [line.strip() for line in (outcome.stderr + "\n" + outcome.stdout).splitlines() if line.strip()]
    errors = [line for line in lines if re.match(r"^[\w.]+(Error|Exception|Interrupt|Exit)\b.*", line)]
    return (errors or lines or ["(no output)"])[-1][:160]


def read_overrides() -> dict[str, tuple[str, str]]:
    """overrides.txt: `exclude PATH  # reason` or `include PATH  # reason` per line (README.md, "Selection")."""
    found: dict[str, tuple[str, str]] = {}
    for number, line in enumerate(OVERRIDES.read_text().splitlines(), start=1):
        if line.strip() and not line.startswith("#"):
            decision, _, rest = line.partition(" ")
            path, _, reason = rest.partition("#")
            if decision not in ("include", "exclude") or not reason.strip():
                sys.exit(f"{OVERRIDES}:{number}: expected `include|exclude PATH  # reason`")
            found[path.strip()] = (decision, reason.strip())
    return found


def list_programs(source: Path, globs: list[str]) -> list[str]:
    examples = source / "examples"
    programs = sorted(p.relative_to(examples).as_posix() for p in examples.rglob("*.py"))
    return [p for p in programs if not globs or any(fnmatch.fnmatch(p, g) for g in globs)]


def check_source(source: Path) -> None:
    if not (source / "examples").is_dir():
        sys.exit(f"{source} has no examples/ folder (see README.md: get flyte-sdk's examples)")
    ref = source / "SOURCE_REF"
    found = ref.read_text().strip() if ref.exists() else "(no SOURCE_REF file)"
    if found != PINNED_COMMIT:
        print(f"warning: {source} is at {found}, the recording was made at {PINNED_COMMIT}", file=sys.stderr)


def copy_examples(source: Path, work: Path, rewrite: bool) -> Path:
    """A fresh copy of examples/ in `work`; with `rewrite`, every .py in it has its imports changed (checked)."""
    target = work / "examples"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source / "examples", target, symlinks=True)
    if rewrite:
        for path in target.rglob("*.py"):
            if path.is_symlink():
                continue
            text = path.read_text()
            try:
                rewritten, _ = rewrite_checked(text)
            except (RewriteError, SyntaxError) as exc:
                print(f"warning: {path.relative_to(target)} not rewritten: {exc}", file=sys.stderr)
                continue
            path.write_text(rewritten)
    return target


def program_files(program: Path) -> set[str]:
    """The file names a log record of the program's own code can name: the .py files in its folder."""
    return {p.name for p in program.parent.glob("*.py")}


def environment_root(python: str) -> str:
    """The interpreter's environment (its tracebacks name files under it)."""
    return str(Path(python).absolute().parent.parent)


def normalized(outcome: Outcome, program: Path, examples: Path, python: str) -> str:
    return normalize(
        outcome.stdout, program_files=program_files(program), roots=[str(examples), environment_root(python)]
    )


def save_outputs(work: Path, program: str, outcome: Outcome) -> None:
    base = work / "outputs" / program.removesuffix(".py")
    base.parent.mkdir(parents=True, exist_ok=True)
    base.with_suffix(".stdout").write_text(outcome.stdout)
    base.with_suffix(".stderr").write_text(outcome.stderr)


def record(args: argparse.Namespace) -> int:
    """Selects the programs that run locally under Flyte 2, and records their normalised stdout."""
    check_source(args.source)
    work = prepare_work(args.work)
    examples = copy_examples(args.source, work, rewrite=False)
    overrides = read_overrides()
    programs = list_programs(args.source, args.program)
    # A program importing what Flyte 2 installs with itself (aiofiles, flyteidl2, ...) but the facade's environment
    # does not have cannot run there whatever the facade does.
    imports = {p: third_party_imports((examples / p).read_text(), (examples / p).parent) for p in programs}
    absent = missing_in(args.python, set().union(*imports.values()))
    selection: dict[str, dict[str, object]] = {}
    if args.program and SELECTION.exists():  # re-recording some programs: the others' entries stay
        selection = json.loads(SELECTION.read_text())["programs"]
    else:
        shutil.rmtree(RECORDED, ignore_errors=True)
    for program in programs:
        path = examples / program
        source = path.read_text()
        entry: dict[str, object]
        decision, reason = overrides.get(program, ("", ""))
        if decision == "exclude":
            entry = {"selected": False, "reason": reason}
        elif not has_main_block(source):
            entry = {"selected": False, "reason": "no `__main__` block: a module, a test file or a CLI-only program"}
        elif uses_no_flyte(source, path.parent):
            entry = {"selected": False, "reason": "imports no flyte module: a plain Python script"}
        elif serves_an_app(source):
            entry = {"selected": False, "reason": "serves an app (flyte.app / flyte.serve): outside issue 23's scope"}
        elif imports[program] & absent:
            missing = ", ".join(sorted(imports[program] & absent))
            entry = {"selected": False, "reason": f"imports {missing}, which the facade's environment does not have"}
        else:
            entry = classify_run(args, work, program, path, examples, fails_by_design=decision == "include")
        selection[program] = entry
        verdict = "selected" if entry["selected"] else f"excluded: {entry['reason']}"
        print(f"{program}: {verdict}", flush=True)
        recorded_path(program).unlink(missing_ok=True)
        if entry["selected"]:
            recorded_path(program).parent.mkdir(parents=True, exist_ok=True)
            recorded_path(program).write_text(str(entry.pop("stdout")))
    header = {"repository": "flyteorg/flyte-sdk", "commit": PINNED_COMMIT, "flyte": FLYTE_VERSION}
    data = {"source": header, "programs": dict(sorted(selection.items()))}
    SELECTION.write_text(json.dumps(data, indent=1) + "\n")
    chosen = sum(bool(e["selected"]) for e in selection.values())
    print(f"{chosen} of {len(selection)} programs selected; work folder {work}")
    return 0


def classify_run(
    args: argparse.Namespace, work: Path, program: str, path: Path, examples: Path, *, fails_by_design: bool
) -> dict[str, object]:
    """Runs the program twice under Flyte 2: selected when nothing in its runs excludes it, and both print alike.

    A program listed `include` in overrides.txt fails on purpose: its failing exit is no reason to exclude it.
    """
    outcomes: list[Outcome] = []
    for _ in range(2):
        outcome = run_program(args.flyte_python, path, work / "home", args.timeout)
        save_outputs(work, program, outcome)
        if outcome.exit is None:
            return {"selected": False, "reason": f"times out after {args.timeout:.0f} s under Flyte {FLYTE_VERSION}"}
        reason = exclusion_reason(outcome)
        if reason is not None and not (fails_by_design and reason.startswith("fails under")):
            return {"selected": False, "reason": reason}
        outcomes.append(outcome)
    first, second = (normalized(o, path, examples, args.flyte_python) for o in outcomes)
    if outcomes[0].exit != outcomes[1].exit or compare(first, second)[0] == "mismatch":
        return {"selected": False, "reason": f"prints something else on each run under Flyte {FLYTE_VERSION}"}
    return {"selected": True, "exit": outcomes[0].exit, "stdout": first}


def prepare_work(work: Path | None) -> Path:
    folder = work or Path(tempfile.mkdtemp(prefix="flyte2-examples-"))
    (folder / "home").mkdir(parents=True, exist_ok=True)
    return folder


def selected_programs(globs: list[str]) -> dict[str, dict[str, object]]:
    programs = json.loads(SELECTION.read_text())["programs"]
    return {
        p: e for p, e in programs.items() if e["selected"] and (not globs or any(fnmatch.fnmatch(p, g) for g in globs))
    }


def check(args: argparse.Namespace) -> int:
    """Runs each selected program, rewritten, with `--python`, and reports how its output compares."""
    check_source(args.source)
    work = prepare_work(args.work)
    examples = copy_examples(args.source, work, rewrite=True)
    rows: list[tuple[str, str, str]] = []
    for program, entry in selected_programs(args.program).items():
        path = examples / program
        outcome = run_program(args.python, path, work / "home", args.timeout)
        save_outputs(work, program, outcome)
        verdict, detail = judge(outcome, entry, program, path, examples, args.python)
        rows.append((program, verdict, detail))
        print(f"{program}: {verdict}" + (f" ({detail.splitlines()[0]})" if verdict == "error" else ""), flush=True)
    report = render_report(rows, args.python)
    report_path = args.report or work / "report.md"
    report_path.write_text(report)
    print(report.split("## Programs")[0].strip())
    print(f"report: {report_path}; outputs: {work / 'outputs'}")
    return 0 if all(v.startswith("match") for _, v, _ in rows) else 1


def judge(
    outcome: Outcome, entry: dict[str, object], program: str, path: Path, examples: Path, python: str
) -> tuple[str, str]:
    if outcome.exit is None:
        return "error", "timed out"
    if not recorded_path(program).exists():
        return "error", f"no recording: {recorded_path(program).relative_to(HERE)} (run record)"
    actual = normalized(outcome, path, examples, python)
    expected = recorded_path(program).read_text()
    verdict, diff = compare(expected, actual)
    if outcome.exit != entry["exit"]:
        if outcome.exit != 0 and (verdict == "mismatch" or entry["exit"] == 0):
            return "error", last_error_line(outcome)
        return "mismatch", f"exit status {outcome.exit}, Flyte 2 exits {entry['exit']}\n{diff}".strip()
    return verdict, diff


def render_report(rows: list[tuple[str, str, str]], python: str) -> str:
    counts: dict[str, int] = {}
    for _, verdict, _ in rows:
        counts[verdict] = counts.get(verdict, 0) + 1
    matched = counts.get("match", 0) + counts.get("match (line order)", 0)
    total = len(rows)
    lines = [
        "# flyte2_examples report",
        "",
        f"Interpreter: `{python}`; Flyte {FLYTE_VERSION} recording of flyteorg/flyte-sdk@{PINNED_COMMIT[:10]}.",
        "",
        f"**{matched} of {total} match** ({100 * matched / max(total, 1):.0f}%): "
        + ", ".join(f"{n} {v}" for v, n in sorted(counts.items())),
        "",
        "## Programs",
        "",
    ]
    for program, verdict, detail in rows:
        lines.append(f"- `{program}`: {verdict}")
        if detail:
            lines += ["", "  ```", *(f"  {d}" for d in detail.splitlines()), "  ```", ""]
    return "\n".join(lines) + "\n"


def package(args: argparse.Namespace) -> int:
    """Serializes each selected program, rewritten, with `pyflyte package` from `--python`'s environment."""
    check_source(args.source)
    work = prepare_work(args.work)
    examples = copy_examples(args.source, work, rewrite=True)
    pyflyte = Path(args.python).parent / "pyflyte"  # the console script installed with that interpreter's flytekit
    if not pyflyte.exists():
        sys.exit(f"{pyflyte} not found: --python must be the interpreter of an environment with flytekit installed")
    # flytekit builds each ImageSpec a task names that it finds in no registry, with the Docker daemon it reaches;
    # with none to reach it takes the image as built. What is checked here is serialization, not image builds.
    # pyflyte prints its error through rich, wrapped at the terminal's width (80 columns when there is none).
    environment = {"DOCKER_HOST": f"unix://{work / 'no-docker.sock'}", "COLUMNS": "200"}
    rows: list[tuple[str, str, str]] = []
    for program in selected_programs(args.program):
        path = examples / program
        archive = work / "packages" / (program.removesuffix(".py") + ".tgz")
        archive.parent.mkdir(parents=True, exist_ok=True)
        archive.unlink(missing_ok=True)  # pyflyte writes none when it finds nothing to serialize
        command = package_command(str(pyflyte), path, archive, args.image or [PACKAGE_IMAGE])
        outcome = run_command(command, path.parent, work / "home", args.timeout, environment)
        save_outputs(work, program, outcome)
        verdict, detail = judge_package(outcome, archive)
        rows.append((program, verdict, detail))
        print(f"{program}: {verdict} ({detail})", flush=True)
    report = render_package_report(rows, args.python)
    report_path = args.report or work / "package-report.md"
    report_path.write_text(report)
    print(report.split("## Programs")[0].strip())
    print(f"report: {report_path}; outputs: {work / 'outputs'}")
    return 1 if any(v == "failed" for _, v, _ in rows) else 0


def package_command(pyflyte: str, program: Path, archive: Path, images: list[str]) -> list[str]:
    """`pyflyte package` of the program's module, its folder as the source root (as `python program.py` has it).

    `--copy all` (what `--fast` was) also archives the folder, as `pyflyte register` does for a fast registration.
    """
    command = [pyflyte, "--pkgs", program.stem, "package", "--source", ".", "--copy", "all"]
    for image in images:
        command += ["--image", image]
    return command + ["--output", str(archive), "--force"]


def judge_package(outcome: Outcome, archive: Path) -> tuple[str, str]:
    """`serialized` with how many entities the archive holds, `no tasks`, or `failed` with the error."""
    if outcome.exit is None:
        return "failed", "timed out"
    if outcome.exit != 0:
        return "failed", last_error_line(outcome)
    if not archive.exists():  # pyflyte exits 0 when it finds nothing to serialize, and says so
        if "No flyte objects found" in outcome.stdout:
            return "no tasks", "the module defines no task: nothing to serialize"
        return "failed", f"pyflyte exited 0 and wrote no archive: {last_error_line(outcome)}"
    with tarfile.open(archive) as tar:
        entities = sum(member.name.endswith(".pb") for member in tar.getmembers())
    return "serialized", f"{entities} entities"


def render_package_report(rows: list[tuple[str, str, str]], python: str) -> str:
    counts: dict[str, int] = {}
    for _, verdict, _ in rows:
        counts[verdict] = counts.get(verdict, 0) + 1
    serialized, total = counts.get("serialized", 0), len(rows)
    lines = [
        "# flyte2_examples package report",
        "",
        f"Interpreter: `{python}`; programs of flyteorg/flyte-sdk@{PINNED_COMMIT[:10]}.",
        "",
        f"**{serialized} of {total} serialize** with `pyflyte package` ({100 * serialized / max(total, 1):.0f}%): "
        + ", ".join(f"{n} {v}" for v, n in sorted(counts.items())),
        "",
        "## Programs",
        "",
        *(f"- `{program}`: {verdict} ({detail})" for program, verdict, detail in rows),
    ]
    return "\n".join(lines) + "\n"


def usage(args: argparse.Namespace) -> int:
    check_source(args.source)
    programs = selected_programs(args.program)
    examples = args.source / "examples"
    out: Path = args.out or Path("flyte2-gaps.md")
    write_usage_report({p: (examples / p).read_text() for p in programs}, python=args.python, out=out, repo=REPO)
    print(f"wrote {out}")
    return 0


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    default_python = str(REPO / ".venv" / "bin" / "python")
    commands_help = [("record", record.__doc__), ("check", check.__doc__), ("usage", "gap analysis")]
    commands_help.append(("package", package.__doc__))
    for name, helptext in commands_help:
        sub = commands.add_parser(name, help=helptext)
        sub.add_argument("source", type=Path, help="folder with flyte-sdk's examples/ at the pinned commit")
        sub.add_argument("--program", action="append", default=[], help="glob relative to examples/ (repeatable)")
        sub.add_argument("--python", default=default_python, help="interpreter with flytekit_ext installed")
        if name == "record":
            sub.add_argument("--flyte-python", required=True, help="interpreter of a venv with flyte==2.12.1")
        if name == "usage":
            sub.add_argument("--out", type=Path, help="where the report goes (default ./flyte2-gaps.md)")
        else:
            sub.add_argument("--timeout", type=float, default=120.0, help="seconds per run (default 120)")
            sub.add_argument("--work", type=Path, help="copies and outputs (default a new temp folder)")
        if name == "check":
            sub.add_argument("--report", type=Path, help="where the report goes (default WORK/report.md)")
        if name == "package":
            sub.add_argument("--report", type=Path, help="where the report goes (default WORK/package-report.md)")
            sub.add_argument(
                "--image",
                action="append",
                default=[],
                help=f"pyflyte's --image: URI or NAME=URI (repeatable; default {PACKAGE_IMAGE})",
            )
    args = parser.parse_args(argv)
    return {"record": record, "check": check, "usage": usage, "package": package}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
