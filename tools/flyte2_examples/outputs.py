"""What of a program's stdout is compared, and how: Flyte's own log records dropped, run-to-run values normalised.

See README.md, "What is compared".
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

# A log record as Flyte's rich handler prints it: time, level, then `[run][action] name.py:12 - message`, wrapped
# at the console's width with continuation lines indented to the message column (25 characters).
_RECORD = re.compile(
    r"^\d\d:\d\d:\d\d\.\d{6} (?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL) +(?:\[[^\]]*\])*\s*"
    r"(?:(?P<file>[\w.-]+\.py):(?P<line>\d+) - )?(?P<message>.*)$"
)
_CONTINUATION = " " * 25

# A file or folder in /tmp named as tempfile names them: a prefix, then 8 random characters of [a-z0-9_].
_TEMP_PATH = re.compile(r"/tmp/([\w.-]*?[a-z0-9_]{8})(?![\w-])")

_REPEAT = re.compile(r"(.)\1{199,}")

# Applied in this order; each replaces what differs from one run of the same program to the next.
_SUBSTITUTIONS: list[tuple[re.Pattern[str], str]] = [
    # The import rule read backwards: the facade's module paths, printed (`<class 'flytekit_ext.flyte.io.File'>`),
    # are the paths the original program prints.
    (re.compile(r"\bflytekit_ext\.flyte\b"), "flyte"),
    # The same rule for the error classes: `flyte.errors` names flytekit_ext's own classes (the very objects the
    # program's `except flyte.errors.OOMError` catches), so `type(e)` prints their home, `flytekit_ext.errors`.
    (re.compile(r"\bflytekit_ext\.errors\b"), "flyte.errors"),
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"), "<UUID>"),
    # Temporary files and folders of tempfile without the leading slash, as tar prints them.
    (re.compile(r"\btmp/tmp[\w-]{6,}"), "tmp/<TMP>"),
    # Random ids: action names (25 characters of [0-9a-z]), hex digests of 16 or more characters.
    (re.compile(r"\b(?=[0-9a-z]*[0-9])(?=[0-9a-z]*[a-z])[0-9a-z]{20,32}\b"), "<ID>"),
    (re.compile(r"\b[0-9a-f]{16,}\b"), "<HEX>"),
    (re.compile(r"\b0x[0-9a-fA-F]{6,}\b"), "0x<ADDR>"),
    (re.compile(r"\b\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?"), "<TIMESTAMP>"),
    (re.compile(r"\b\d\d:\d\d:\d\d(?:\.\d+)?\b"), "<TIME>"),
    # Elapsed times as programs print them: `took 1.23s`, `0.5 seconds`, `12.0ms`, and Flyte's `48252 secs`.
    (re.compile(r"\b(?:\d+\.\d+ ?(?:s|ms|us|µs|sec|secs|seconds)|\d+ (?:sec|secs|seconds))\b"), "<DURATION>"),
]


def program_records(lines: Iterable[str], program_files: set[str]) -> list[str]:
    """The lines with each log record of the program's own code on one line, and the framework's records dropped.

    A record of `flyte.logger` called in the program names the program's file (`hello.py:8 - ...`) and is kept as
    `INFO hello.py:8 - message`: its time, its run and action names (which rich sometimes takes for markup and
    drops) and its wrapping go. A record of the framework itself names one of its own modules and is dropped.
    """
    kept: list[str] = []
    in_record = dropping = False
    for line in lines:
        record = _RECORD.match(line)
        if record is not None:
            in_record = True
            dropping = record["file"] not in program_files
            if not dropping:
                kept.append(f"{record['level']} {record['file']}:{record['line']} - {record['message']}")
            continue
        if in_record and line.startswith(_CONTINUATION):
            if not dropping:
                kept[-1] += " " + line.strip()
            continue
        in_record = False
        kept.append(line)
    return kept


def normalize(stdout: str, *, program_files: set[str], roots: Iterable[str]) -> str:
    """The text that is recorded and compared for one run's stdout.

    `roots` are folders whose absolute paths appear in the output (the copy of `examples/` the program ran in,
    the interpreter's environment); each becomes `<ROOT>`, longest first.
    """
    lines = [line.rstrip() for line in stdout.splitlines()]
    text = "\n".join(program_records(lines, program_files))
    for root in sorted(roots, key=len, reverse=True):
        text = text.replace(root.rstrip("/"), "<ROOT>")
    # A temporary name is replaced wherever it occurs, also where a program prints it without its folder.
    for name in sorted({m[1] for m in _TEMP_PATH.finditer(text)}, key=len, reverse=True):
        text = re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", "<TMP>", text)
    for pattern, replacement in _SUBSTITUTIONS:
        text = pattern.sub(replacement, text)
    # A program printing a megabyte of one character is recorded as the character and the count.
    text = _REPEAT.sub(lambda m: f"<{m[1]!r} x {len(m[0])}>", text)
    return text.strip("\n") + "\n" if text.strip() else ""


def compare(recorded: str, actual: str) -> tuple[str, str]:
    """(verdict, short diff): `match`, `match (line order)` when only the order of lines differs, or `mismatch`.

    Lines printed by items that run concurrently come in an order neither Flyte 2 nor the facade promises, so
    the same lines in another order still match; the report says so.
    """
    if recorded == actual:
        return "match", ""
    if sorted(recorded.splitlines()) == sorted(actual.splitlines()):
        return "match (line order)", ""
    diff = difflib.unified_diff(recorded.splitlines(), actual.splitlines(), "flyte 2", "facade", n=1, lineterm="")
    lines = list(diff)[2:]
    shown = lines[:12] + ([f"... {len(lines) - 12} more diff lines"] if len(lines) > 12 else [])
    return "mismatch", "\n".join(shown)
