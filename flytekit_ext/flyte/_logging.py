"""``flyte.logger``: the logger for a program's own messages, at INFO unless ``init(user_log_level=...)`` says.

Its records go to standard error, one line each (time, level, where, message); Flyte 2 shows them on its
console. ``system_logger`` is flytekit's logger, which ``init(log_level=...)`` sets.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Union

from flytekit.loggers import logger as system_logger

_FORMAT = "%(asctime)s.%(msecs)03d %(levelname)-8s %(filename)s:%(lineno)d - %(message)s"


def _level(value: Union[int, str, None], default: int) -> int:
    if value is None:
        return default
    if isinstance(value, int):
        return value
    found = logging.getLevelName(value.upper())
    return found if isinstance(found, int) else default


def _user_logger() -> logging.Logger:
    made = logging.getLogger("flytekit_ext.flyte.user")
    made.setLevel(_level(os.environ.get("LOG_LEVEL"), logging.INFO))
    if not made.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(_FORMAT, datefmt="%H:%M:%S"))
        made.addHandler(handler)
    made.propagate = False
    return made


logger = _user_logger()


def set_levels(log_level: Union[int, str, None], user_log_level: Union[int, str, None]) -> None:
    """The levels ``flyte.init`` was given: flytekit's logger, and the program's own."""
    if log_level is not None:
        system_logger.setLevel(_level(log_level, logging.WARNING))
    if user_log_level is not None:
        logger.setLevel(_level(user_log_level, logging.INFO))


__all__ = ["logger", "system_logger", "set_levels"]
