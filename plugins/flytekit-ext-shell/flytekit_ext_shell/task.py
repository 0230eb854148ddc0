"""``ShellTask``: a shell script template as a flytekit_ext task.

* ``{inputs.NAME}`` in the script becomes the input's value, quoted with :func:`shlex.quote`, so an input is
  always one word and never shell syntax: quotes, spaces, newlines and ``$(...)`` arrive verbatim. Files and
  directories are downloaded and their local path substituted; a list becomes one quoted word per item.
* ``{outputs.NAME}`` becomes a path the task allocates in a fresh folder under the execution's sandbox:
  ``FlyteFile`` outputs are files the script must write; ``FlyteDirectory`` outputs are folders made before the
  script runs; ``str``/``int``/``float``/``bool`` outputs are files the script writes the value into.
* Outputs named ``stdout`` or ``stderr`` of type ``str`` are the script's captured output instead.
* Every other brace in the script (``${VAR}``, ``awk '{print $1}'``) is left alone.

A non-zero exit raises :class:`ShellTaskError` with the exit code and the last lines of stderr; a declared
output the script did not write raises it naming the output.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime
import enum
import os
import re
import shlex
import subprocess
import sys
import tempfile
import threading
import typing
from pathlib import Path
from typing import Any, Deque, Dict, List, Optional, Type

from flytekit.core.context_manager import FlyteContextManager
from flytekit.core.interface import Interface
from flytekit.types.directory import FlyteDirectory
from flytekit.types.file import FlyteFile

from flytekit_ext import PythonInstanceTask

TASK_TYPE = "shell-ext"
CAPTURED = ("stdout", "stderr")
_PLACEHOLDER = re.compile(r"\{(inputs|outputs)\.([A-Za-z_][A-Za-z0-9_]*)\}")
_SCALARS = (str, int, float, bool)


class ShellTaskError(Exception):
    """The script failed (non-zero exit) or did not write a declared output."""


@dataclasses.dataclass(frozen=True)
class ShellConfig:
    """The script template, the interpreter it runs under, and environment variables added for it."""

    script: str
    shell: str = "/bin/bash"
    env: Dict[str, str] = dataclasses.field(default_factory=dict)
    stderr_tail_lines: int = 20


def _base(python_type: Any) -> Any:
    origin = typing.get_origin(python_type)
    if origin is typing.Annotated:
        return _base(typing.get_args(python_type)[0])
    return origin or python_type


def _is(python_type: Any, kind: type) -> bool:
    base = _base(python_type)
    return isinstance(base, type) and issubclass(base, kind)


def _word(value: Any) -> str:
    """One input value as a shell word: never more than one word, never shell syntax."""
    if isinstance(value, (FlyteFile, FlyteDirectory)):
        value = os.path.abspath(value.download())  # the script runs in its own folder
    elif isinstance(value, bool):
        value = "true" if value else "false"
    elif isinstance(value, enum.Enum):
        value = value.value
    elif isinstance(value, (datetime.datetime, datetime.date)):
        value = value.isoformat()
    elif value is None:
        value = ""
    return shlex.quote(os.fspath(value) if isinstance(value, os.PathLike) else str(value))


def _substitute(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return " ".join(_word(v) for v in value)
    return _word(value)


def _sandbox() -> str:
    params = FlyteContextManager.current_context().user_space_params
    parent = params.working_directory if params is not None else None
    return tempfile.mkdtemp(prefix="shell-", dir=parent)


def _pump(stream: Any, keep: Optional[List[str]], tail: Optional[Deque[str]], echo: Any) -> None:
    for line in iter(stream.readline, ""):
        if keep is not None:
            keep.append(line)
        else:
            echo.write(line)
        if tail is not None:
            tail.append(line)
    stream.close()


class ShellTask(PythonInstanceTask[ShellConfig]):
    """A shell script task. Assign it to a module-level variable (the resolver finds it by that name)."""

    def __init__(
        self,
        name: str,
        script: str,
        inputs: Optional[Dict[str, Type]] = None,
        outputs: Optional[Dict[str, Type]] = None,
        env: Optional[Dict[str, str]] = None,
        shell: str = "/bin/bash",
        **kwargs: Any,
    ) -> None:
        inputs = dict(inputs or {})
        outputs = dict(outputs or {})
        for out_name, out_type in outputs.items():
            captured = out_name in CAPTURED
            if captured and out_type is not str:
                raise TypeError(
                    f"ShellTask '{name}': output '{out_name}' captures the script's {out_name}; declare it as str"
                )
            if not captured and not (_is(out_type, FlyteFile) or _is(out_type, FlyteDirectory) or out_type in _SCALARS):
                raise TypeError(
                    f"ShellTask '{name}': output '{out_name}' has type {out_type!r}; "
                    f"outputs are FlyteFile, FlyteDirectory, str/int/float/bool, or stdout/stderr: str"
                )
        for kind, placeholder in _PLACEHOLDER.findall(script):
            declared = inputs if kind == "inputs" else outputs
            if placeholder not in declared:
                raise ValueError(
                    f"ShellTask '{name}': the script uses {{{kind}.{placeholder}}} but no such {kind[:-1]} is declared"
                )
            if kind == "outputs" and placeholder in CAPTURED:
                raise ValueError(
                    f"ShellTask '{name}': output '{placeholder}' is captured, it has no path for the script"
                )
        super().__init__(
            name=name,
            task_config=ShellConfig(script=script, shell=shell, env=dict(env or {})),
            task_type=TASK_TYPE,
            interface=Interface(inputs=inputs, outputs=outputs),
            **kwargs,
        )

    @property
    def script(self) -> str:
        return self.task_config.script

    def get_custom(self, settings: Any) -> Dict[str, Any]:
        config: ShellConfig = self.task_config
        return {"script": config.script, "shell": config.shell, "env": dict(config.env)}

    def _output_path(self, folder: Path, name: str, python_type: Any) -> Path:
        suffix = ""
        if _is(python_type, FlyteFile) and hasattr(python_type, "extension"):
            extension = python_type.extension()
            suffix = f".{extension}" if extension else ""
        return folder / f"{name}{suffix}"

    def render(self, inputs: Dict[str, Any], output_paths: Dict[str, Path]) -> str:
        """The script with ``{inputs.x}`` quoted and ``{outputs.y}`` replaced by its (quoted) path."""

        def replace(match: re.Match[str]) -> str:
            kind, name = match.group(1), match.group(2)
            if kind == "inputs":
                if name not in inputs:
                    raise ShellTaskError(f"Shell task '{self.name}' was called without its input '{name}'")
                value = inputs[name]
                declared = self.python_interface.inputs[name]
                if isinstance(value, (str, os.PathLike)) and (
                    _is(declared, FlyteFile) or _is(declared, FlyteDirectory)
                ):
                    value = os.path.abspath(value)  # a plain path given to .forward(); the script runs elsewhere
                return _substitute(value)
            return shlex.quote(str(output_paths[name]))

        return _PLACEHOLDER.sub(replace, self.task_config.script)

    def execute(self, **inputs: Any) -> Any:
        config: ShellConfig = self.task_config
        declared = self.python_interface.outputs
        folder = Path(_sandbox())
        output_paths = {
            n: self._output_path(folder / "outputs", n, t) for n, t in declared.items() if n not in CAPTURED
        }
        (folder / "outputs").mkdir()
        for name, path in output_paths.items():
            if _is(declared[name], FlyteDirectory):
                path.mkdir()
        script = self.render(inputs, output_paths)
        env = {**os.environ, **config.env}
        process = subprocess.Popen(
            [config.shell, "-c", script], cwd=folder, env=env, text=True,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        stdout: Optional[List[str]] = [] if "stdout" in declared else None
        stderr: Optional[List[str]] = [] if "stderr" in declared else None
        tail: Deque[str] = collections.deque(maxlen=config.stderr_tail_lines)
        pumps = [
            threading.Thread(target=_pump, args=(process.stdout, stdout, None, sys.stdout), daemon=True),
            threading.Thread(target=_pump, args=(process.stderr, stderr, tail, sys.stderr), daemon=True),
        ]
        for pump in pumps:
            pump.start()
        code = process.wait()
        for pump in pumps:
            pump.join()
        if code != 0:
            raise ShellTaskError(
                f"Shell task '{self.name}' exited with code {code}. Last lines of stderr:\n"
                + ("".join(tail).rstrip() or "  (none)")
            )
        results: Dict[str, Any] = {}
        for name, python_type in declared.items():
            if name == "stdout" and stdout is not None:
                results[name] = "".join(stdout)
            elif name == "stderr" and stderr is not None:
                results[name] = "".join(stderr)
            else:
                results[name] = self._read_output(name, python_type, output_paths[name])
        if not results:
            return None
        if len(results) == 1:
            return next(iter(results.values()))
        return collections.namedtuple("DefaultNamedTupleOutput", list(results))(**results)

    def _read_output(self, name: str, python_type: Any, path: Path) -> Any:
        if _is(python_type, FlyteDirectory):
            if not path.is_dir():
                raise ShellTaskError(f"Shell task '{self.name}' removed its output directory '{name}' ({path})")
            return python_type(path=str(path))
        if not path.is_file():
            raise ShellTaskError(f"Shell task '{self.name}' did not write its output '{name}' (expected at {path})")
        if _is(python_type, FlyteFile):
            return python_type(path=str(path))
        text = path.read_text()
        if python_type is str:
            return text[:-1] if text.endswith("\n") else text
        if python_type is bool:
            word = text.strip().lower()
            if word not in ("true", "false", "1", "0"):
                raise ShellTaskError(f"Shell task '{self.name}': output '{name}' is {text.strip()!r}, not a bool")
            return word in ("true", "1")
        try:
            return python_type(text.strip())
        except ValueError:
            raise ShellTaskError(
                f"Shell task '{self.name}': output '{name}' is {text.strip()!r}, not a {python_type.__name__}"
            ) from None
