"""``flyte.logger``: the logger for a program's own messages, at INFO unless ``init(user_log_level=...)`` says.

Its records are printed as Flyte 2 prints them, on standard output: the time, the level, inside a task the
run and action names in brackets, the file and line, and the message (later lines of a message indented
under its first). It is the logger named ``flyte.user``, as Flyte 2's, so a program's
``logging.getLogger("flyte.user.<name>")`` logs through it. As in Flyte 2, every log record carries
``run_name`` and ``action_name`` attributes (empty outside a task), for a program's own formats.
``system_logger`` is flytekit's logger, which ``init(log_level=...)`` sets.
"""

from __future__ import annotations

import logging
import os
import sys
from datetime import datetime
from typing import Any, Callable, Union

from flytekit.loggers import logger as system_logger

from flytekit_ext.flyte._context import TASK

_INDENT = " " * 25  # the width of the time and level columns


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        task = TASK.get()
        where = f"[{task.action.run_name}][{task.action.name}] " if task is not None else ""
        time = datetime.fromtimestamp(record.created).strftime("%H:%M:%S.%f")
        lines = record.getMessage().splitlines() or [""]
        first = f"{time} {record.levelname:<8} {where}{record.filename}:{record.lineno} - {lines[0]}"
        return "\n".join([first, *(_INDENT + line for line in lines[1:])])


class _StandardOutput(logging.StreamHandler):
    """Writes to whatever ``sys.stdout`` is when a record comes (a test's capture, a redirection)."""

    @property
    def stream(self) -> object:
        return sys.stdout

    @stream.setter
    def stream(self, value: object) -> None:
        pass


def _level(value: Union[int, str, None], default: int) -> int:
    if value is None:
        return default
    if isinstance(value, int):
        return value
    found = logging.getLevelName(value.upper())
    return found if isinstance(found, int) else default


def _user_logger() -> logging.Logger:
    made = logging.getLogger("flyte.user")
    made.setLevel(_level(os.environ.get("LOG_LEVEL"), logging.INFO))
    if not made.handlers:
        handler = _StandardOutput()
        handler.setFormatter(_Formatter())
        made.addHandler(handler)
    made.propagate = False
    return made


logger = _user_logger()


def _with_run_names(previous: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        task = TASK.get()
        record.run_name = task.action.run_name if task is not None else ""
        record.action_name = task.action.name if task is not None else ""
        return record

    make.__flytekit_ext_flyte__ = True  # type: ignore[attr-defined]
    return make


if not getattr(logging.getLogRecordFactory(), "__flytekit_ext_flyte__", False):
    logging.setLogRecordFactory(_with_run_names(logging.getLogRecordFactory()))


def set_levels(log_level: Union[int, str, None], user_log_level: Union[int, str, None]) -> None:
    """The levels ``flyte.init`` was given: flytekit's logger, and the program's own."""
    if log_level is not None:
        system_logger.setLevel(_level(log_level, logging.WARNING))
    if user_log_level is not None:
        logger.setLevel(_level(user_log_level, logging.INFO))


__all__ = ["logger", "system_logger", "set_levels"]
