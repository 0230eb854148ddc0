#!/usr/bin/env python
"""Run flytekit's own unit tests with stock flytekit and with flytekit_ext's decorators swapped in.

    python tools/flytekit_compat/run.py --src FLYTEKIT_SRC [--suite SUITE ...] [--mode both|stock|swap]
                                        [--out DIR] [-n JOBS] [--timeout SECS] [--only PATH ...] [-- PYTEST_ARGS]

FLYTEKIT_SRC holds flytekit's ``tests/``, ``pyproject.toml`` and ``plugins/`` at the tag of the installed
flytekit (see README.md). SUITE is one of core, cli, types, deck, plugin:<name> (a folder
``plugins/flytekit-<name>``; ``kfpytorch`` is accepted for ``kf-pytorch``), ``plugins`` (the plugins in
``PLUGINS`` below) or ``all`` (default). Results go to ``DIR/<suite>/{stock,swap}/`` (default: ``results/`` next to this
script). With ``--mode both`` (default) the two runs are compared when they finish (``compare.py diff``), and
the exit status is 1 if a test passes stock but not swapped and is not in expected_differences.txt.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from compare import diff_tree, write_merged, write_task_classes  # run as a script, so this folder is on sys.path

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "results"
MODES = ("stock", "swap")


@dataclasses.dataclass(frozen=True)
class Suite:
    name: str
    paths: Tuple[str, ...]
    #: Working directory relative to the source; plugin suites run from their plugin folder, as flytekit's CI does.
    cwd: str = "."
    #: Whether the suite is split over xdist workers (plugin suites are not, as in flytekit's CI).
    parallel: bool = True
    #: Run each test module in a pytest process of its own, for suites whose modules leak state into the next.
    isolate_modules: bool = False
    #: Module that must import for the suite to run, and how to install it.
    requires: Optional[str] = None
    install: str = ""
    #: Test modules or node ids that need a docker daemon or internet access, with the reason; left out
    #: unless --online is given, because offline they fail stock and swapped alike and say nothing.
    online_only: Tuple[Tuple[str, str], ...] = ()

    @property
    def dirname(self) -> str:
        return self.name.replace(":", "-")


_UNIT = "tests/flytekit/unit"
_DOCKER = "runs a container through a local docker daemon"
_DOCKER_HUB = "looks the image up on Docker Hub"
_DOWNLOAD = "downloads a file from GitHub"
_TORCH_NOTE = (
    "; install torch yourself first (a CPU build: pip install torch --index-url https://download.pytorch.org/whl/cpu)"
)

CORE_SUITES: Dict[str, Suite] = {
    "core": Suite(
        "core",
        (f"{_UNIT}/core",),
        online_only=(
            (f"{_UNIT}/core/test_local_raw_container.py", _DOCKER),
            (f"{_UNIT}/core/test_container_task.py::test_local_execution", _DOCKER),
            (f"{_UNIT}/core/test_container_task.py::test_raw_container_with_image_spec", _DOCKER_HUB),
            (f"{_UNIT}/core/test_python_function_task.py::test_container_image_conversion", _DOCKER_HUB),
            (f"{_UNIT}/core/test_flyte_file.py::test_file_handling_remote_file_handling", _DOWNLOAD),
            (f"{_UNIT}/core/test_flyte_file.py::test_file_handling_remote_file_handling_flyte_file", _DOWNLOAD),
        ),
    ),
    "cli": Suite(
        "cli",
        (f"{_UNIT}/cli/pyflyte",),
        online_only=(
            (f"{_UNIT}/cli/pyflyte/test_init.py::test_pyflyte_init", "downloads the project templates from GitHub"),
            (f"{_UNIT}/cli/pyflyte/test_run.py::test_remote_files", "runs a workflow file from a GitHub URL"),
            (f"{_UNIT}/cli/pyflyte/test_build.py::test_build", _DOCKER_HUB),
        ),
    ),
    "types": Suite("types", (f"{_UNIT}/types",)),
    "deck": Suite("deck", (f"{_UNIT}/deck",)),
}

# Plugins whose suites ``all`` / ``plugins`` include: name -> (folder under plugins/, module, extra test deps).
PLUGINS: Dict[str, Tuple[str, str, str]] = {
    "pandera": ("flytekit-pandera", "flytekitplugins.pandera", ""),
    "polars": ("flytekit-polars", "flytekitplugins.polars", ""),
    "deck-standard": ("flytekit-deck-standard", "flytekitplugins.deck", "markdown plotly pygments ydata-profiling"),
    "dask": ("flytekit-dask", "flytekitplugins.dask", ""),
    "ray": ("flytekit-ray", "flytekitplugins.ray", ""),
    "spark": ("flytekit-spark", "flytekitplugins.spark", "aioresponses (and a Java 17 runtime)"),
    "kfpytorch": ("flytekit-kf-pytorch", "flytekitplugins.kfpytorch", "torch" + _TORCH_NOTE),
    "k8s-pod": ("flytekit-k8s-pod", "flytekitplugins.pod", "kubernetes<37"),
}
_PLUGIN_ALIASES = {"kf-pytorch": "kfpytorch"}
# spark's connector tests start mock.patch("flytekit.current_context") without stopping it when they fail (as
# they do with aiohttp >= 3.14), which breaks every later module in the same process, stock and swapped alike.
_ISOLATED_PLUGINS = frozenset({"spark"})


def plugin_suite(name: str) -> Suite:
    name = _PLUGIN_ALIASES.get(name, name)
    folder, module, extra = PLUGINS.get(name, (f"flytekit-{name}", "", ""))
    install = f"pip install -e FLYTEKIT_SRC/plugins/{folder}"
    if extra:
        install += f"; test deps: {extra}"
    return Suite(
        f"plugin:{name}",
        (f"plugins/{folder}/tests",),
        cwd=f"plugins/{folder}",
        parallel=False,
        isolate_modules=name in _ISOLATED_PLUGINS,
        requires=module or None,
        install=install,
    )


def resolve_suites(names: Sequence[str]) -> List[Suite]:
    suites: List[Suite] = []
    for name in names or ["all"]:
        if name == "all":
            picked = list(CORE_SUITES.values()) + [plugin_suite(p) for p in PLUGINS]
        elif name == "plugins":
            picked = [plugin_suite(p) for p in PLUGINS]
        elif name.startswith("plugin:"):
            picked = [plugin_suite(name.split(":", 1)[1])]
        elif name in CORE_SUITES:
            picked = [CORE_SUITES[name]]
        else:
            raise SystemExit(f"run.py: unknown suite {name!r}; use core, cli, types, deck, plugin:<name>, plugins, all")
        suites.extend(s for s in picked if s not in suites)
    return suites


def _probe(python: str, cwd: Path, code: str) -> Tuple[bool, str]:
    # A fresh interpreter in the suite's directory sees what pytest will see there.
    proc = subprocess.run([python, "-c", code], cwd=cwd, capture_output=True, text=True)
    output = proc.stdout if proc.returncode == 0 else (proc.stderr.strip().splitlines() or ["?"])[-1]
    return proc.returncode == 0, output.strip()


def check_environment(python: str, src: Path) -> str:
    """flytekit's version and location; stops if the tests would import a flytekit other than the installed one."""
    ok, out = _probe(python, src, "import flytekit; print(flytekit.__version__); print(flytekit.__file__)")
    if not ok:
        raise SystemExit(f"run.py: cannot import flytekit with {python}: {out}")
    version, location = out.splitlines()
    if Path(location).resolve().is_relative_to(src):
        raise SystemExit(f"run.py: flytekit resolves to {location} inside {src}; remove the flytekit/ folder there")
    ref_file = src / "SOURCE_REF"
    ref = ref_file.read_text().strip() if ref_file.exists() else None
    if ref is None:
        print(f"run.py: {src} has no SOURCE_REF file; cannot check that its tests match flytekit {version}")
    elif ref.lstrip("v") != version:
        print(
            f"run.py: WARNING tests are from {ref}, installed flytekit is {version}; "
            "tests that changed in between fail in both runs"
        )
    return f"flytekit {version} ({location}); tests from {ref or 'unknown ref'}"


def suite_skip_reason(suite: Suite, python: str, src: Path) -> Optional[str]:
    missing = [p for p in suite.paths if not (src / p).is_dir()]
    if missing:
        return f"{', '.join(missing)} not found under {src}"
    module = suite.requires or _plugin_module(src / suite.cwd)
    if module:
        # Import from outside the source tree: a plugin folder on sys.path would hide a missing install.
        ok, out = _probe(python, Path("/"), f"import {module}")
        if not ok:
            return f"{module} does not import ({out}); {suite.install}"
    return None


def _plugin_module(plugin_dir: Path) -> Optional[str]:
    """``flytekitplugins.<x>`` for a plugin folder holding exactly one package under flytekitplugins/."""
    namespace = plugin_dir / "flytekitplugins"
    packages = [p.name for p in namespace.iterdir() if (p / "__init__.py").exists()] if namespace.is_dir() else []
    return f"flytekitplugins.{packages[0]}" if len(packages) == 1 else None


def _leave_out(src: Path, entry: str) -> str:
    # --deselect matches node ids relative to the rootdir (the source, whose pyproject.toml configures pytest).
    return f"--deselect={entry}" if "::" in entry else f"--ignore={src / entry}"


def _pytest(
    python: str,
    suite: Suite,
    src: Path,
    mode: str,
    out: Path,
    pass_name: str,
    targets: Sequence[str],
    marker: str,
    args: argparse.Namespace,
    xdist: bool,
) -> int:
    plugins = ["-p", "flytekit_compat_results", "-p", "no:cacheprovider"]
    if mode == "swap":
        plugins += ["-p", "conftest_swap"]
    ignores = [] if args.online else [_leave_out(src, entry) for entry, _ in suite.online_only]
    # A module that fails to import must not abort the rest of the suite; it is recorded as an error.
    cmd = [python, "-m", "pytest", *(str(src / t) for t in targets), *plugins, *ignores]
    cmd += ["-q", "-rA", "--continue-on-collection-errors", "-m", marker]
    if args.timeout:
        cmd += ["--timeout", str(args.timeout)]
    if xdist:
        cmd += ["-n", str(args.jobs), "--dist=loadfile"]
    cmd += args.pytest_args
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), env.get("PYTHONPATH")]))
    env["FLYTEKIT_COMPAT_RESULTS"] = str(out / f"pass-{pass_name}.jsonl")
    env["FLYTE_EXIT_ON_USER_EXCEPTION"] = "0"
    env.setdefault("FLYTEKIT_HYPOTHESIS_PROFILE", "ci")
    with open(out / f"pass-{pass_name}.log", "w", encoding="utf-8") as log:
        log.write("$ " + " ".join(cmd) + "\n\n")
        log.flush()
        return subprocess.call(cmd, cwd=src / suite.cwd, env=env, stdout=log, stderr=subprocess.STDOUT)


def _is_test_module(filename: str) -> bool:
    return filename.startswith("test_") or filename.endswith("_test.py")


def _has_module(python: str, module: str) -> bool:
    return _probe(python, Path("/"), f"import {module}")[0]


def run_suite(suite: Suite, mode: str, python: str, src: Path, out_root: Path, args: argparse.Namespace) -> None:
    out = out_root / suite.dirname / mode
    out.mkdir(parents=True, exist_ok=True)
    for stale in list(out.glob("pass-*")) + [out / "skipped.txt", out / "broken.txt"]:
        stale.unlink(missing_ok=True)
    left_out = [] if args.online else suite.online_only
    (out / "not_run.txt").write_text("".join(f"{entry} # {reason} (needs --online)\n" for entry, reason in left_out))

    if mode == "swap":
        ok, info = _swap_info(python)
        (out / "swap_info.txt").write_text(info + "\n")
        if not ok:
            raise SystemExit(f"run.py: the swap plugin does not load: {info}")

    xdist = suite.parallel and args.jobs > 0 and _has_module(python, "xdist")
    targets: List[str] = args.only or list(suite.paths)
    everything = "not sandbox_test"
    # Each pass: name, test paths, marker expression, whether under xdist.
    passes: List[Tuple[str, List[str], str, bool]]
    if suite.isolate_modules and not args.only:
        modules = sorted(
            str(f.relative_to(src)) for t in targets for f in (src / t).rglob("*.py") if _is_test_module(f.name)
        )
        passes = [(f"module-{Path(m).stem}", [m], everything, False) for m in modules]
    elif xdist:
        # As flytekit's Makefile does: tests marked serial run in a second pass without workers.
        passes = [
            ("parallel", targets, "not serial and not sandbox_test", True),
            ("serial", targets, "serial and not sandbox_test", False),
        ]
    else:
        passes = [("all", targets, everything, False)]
    started = time.monotonic()
    print(f"run.py: {suite.name} [{mode}] ...", flush=True)
    codes = {
        name: _pytest(python, suite, src, mode, out, name, paths, marker, args, parallel)
        for name, paths, marker, parallel in passes
    }
    # 0 passed, 1 some tests failed, 5 nothing collected; anything else means pytest itself broke.
    broken = [
        f"pytest pass '{name}' exited {code}; see {out}/pass-{name}.log"
        for name, code in codes.items()
        if code not in (0, 1, 5)
    ]
    if broken:
        (out / "broken.txt").write_text("\n".join(broken) + "\n")
        print("\n".join(f"run.py: {suite.name} [{mode}] {b}" for b in broken))

    counts = write_merged(sorted(out.glob("pass-*.jsonl")), out)
    write_task_classes(sorted(out.glob("pass-*.tasks.*.json")), out)
    print(f"run.py: {suite.name} [{mode}] {counts} ({time.monotonic() - started:.0f}s)", flush=True)


def _swap_info(python: str) -> Tuple[bool, str]:
    env_path = os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")]))
    code = (
        "import conftest_swap as s, flytekit, flytekit_ext\n"
        "print('flytekit', flytekit.__version__, flytekit.__file__)\n"
        "print('flytekit_ext', flytekit_ext.__version__, flytekit_ext.__file__)\n"
        "for m, a, n in s.PATCHED: print(f'rebound {m}.{a} -> flytekit_ext.{n}')"
    )
    proc = subprocess.run(
        [python, "-c", code], capture_output=True, text=True, env={**os.environ, "PYTHONPATH": env_path}
    )
    return proc.returncode == 0, (proc.stdout if proc.returncode == 0 else proc.stderr).strip()


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    pytest_args: List[str] = []
    if "--" in argv:
        split = argv.index("--")
        argv, pytest_args = argv[:split], argv[split + 1 :]
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--src", required=True, type=Path, help="folder holding flytekit's tests/ and plugins/")
    parser.add_argument("--suite", action="append", default=[], help="suite to run (repeatable; default all)")
    parser.add_argument("--mode", choices=("both", *MODES), default="both")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"results root (default {DEFAULT_OUT})")
    parser.add_argument("-n", "--jobs", type=int, default=2, help="xdist workers for core/cli/types/deck (0: none)")
    parser.add_argument("--timeout", type=int, default=300, help="per-test timeout in seconds (0: none)")
    parser.add_argument("--only", action="append", help="run just this path (relative to --src) in the suite")
    parser.add_argument("--online", action="store_true", help="also run the tests that need docker or internet")
    parser.add_argument("--python", default=sys.executable, help="interpreter with flytekit installed")
    args = parser.parse_args(argv)
    args.pytest_args = pytest_args

    src = args.src.resolve()
    out_root = args.out.resolve()
    suites = resolve_suites(args.suite)
    modes = MODES if args.mode == "both" else (args.mode,)
    environment = check_environment(args.python, src)
    print(f"run.py: {environment}")
    if args.timeout and not _has_module(args.python, "pytest_timeout"):
        args.timeout = 0

    ran: List[Suite] = []
    for suite in suites:
        reason = suite_skip_reason(suite, args.python, src)
        for mode in modes:
            out = out_root / suite.dirname / mode
            if reason:
                out.mkdir(parents=True, exist_ok=True)
                for stale in out.iterdir():
                    stale.unlink()
                (out / "skipped.txt").write_text(reason + "\n")
            else:
                run_suite(suite, mode, args.python, src, out_root, args)
        if reason:
            print(f"run.py: {suite.name} skipped: {reason}")
        else:
            ran.append(suite)

    (out_root / "run_info.json").write_text(
        json.dumps({"environment": environment, "suites": [s.name for s in suites]}, indent=1)
    )
    if args.mode != "both":
        return 0
    return diff_tree(out_root, [s.dirname for s in suites])


if __name__ == "__main__":
    sys.exit(main())
