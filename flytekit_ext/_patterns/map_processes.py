"""``map(..., processes=N)``: items in worker processes, so CPU-bound tasks use every core.

The pool is loky's reusable executor: workers start once and serve later maps too, until they have been
idle for ``IDLE_SECONDS``; a map that stops early (its first failure, the consumer leaving, Ctrl-C) stops
its items by ending the workers. The task travels to the workers pickled once per map, with cloudpickle: by
reference when its module can be imported by name in a fresh process, by value otherwise (a task defined in
a script run as ``__main__``, or in a module loaded from a file under another name). Each worker unpickles it
once and calls it as a local call, so inputs and outputs go through flytekit's type engine there, and an
item's error comes back with the worker's traceback as its cause.
"""

from __future__ import annotations

import hashlib
import os
import sys
from concurrent.futures import Future
from typing import Any, Dict, Iterator, List, Tuple, Union

import cloudpickle

from flytekit_ext.resolver import importable_by_name

IDLE_SECONDS = 10  # how long an idle worker waits for the next map before it exits

# In a worker: the tasks of the maps it served, by the digest of their pickle.
_unpickled: Dict[str, Any] = {}


def _call_in_worker(digest: str, pickled: bytes, arguments: Tuple[Any, ...]) -> Any:
    target = _unpickled.get(digest)
    if target is None:
        target = _unpickled[digest] = cloudpickle.loads(pickled)
    return target.call(*arguments)


def worker_count(processes: Union[bool, int, None], label: str) -> int:
    """How many workers ``processes`` asks for: ``True`` is one per core; a bad value is a clear error."""
    if processes is True:
        return os.cpu_count() or 1
    if isinstance(processes, bool) or not isinstance(processes, int) or processes < 1:
        raise ValueError(
            f"map of {label}: processes must be True (one worker per core) or a number of worker processes "
            f">= 1, got {processes!r}"
        )
    return processes


def _defining_modules(target: Any) -> Iterator[str]:
    task = getattr(target, "task", target)  # an overridden task is pickled with its task
    function = getattr(task, "task_function", None)
    for defined in (function, type(task)):
        module = getattr(defined, "__module__", None)
        if module:
            yield module


def _pickled(target: Any) -> bytes:
    by_value: List[Any] = [
        sys.modules[name]
        for name in set(_defining_modules(target))
        if name in sys.modules and name != "__main__" and not importable_by_name(name)
    ]
    for module in by_value:
        cloudpickle.register_pickle_by_value(module)
    try:
        return cloudpickle.dumps(target)
    finally:
        for module in by_value:
            cloudpickle.unregister_pickle_by_value(module)


class ProcessItems:
    """Starts a map's items in worker processes, and stops them by ending the workers."""

    def __init__(self, target: Any, workers: int) -> None:
        self._pickled = _pickled(target)
        self._digest = hashlib.sha256(self._pickled).hexdigest()
        # loky (with psutil) takes about 13 ms to import, a third of flytekit_ext's import time: only a map
        # that runs items in processes pays for it.
        from loky import get_reusable_executor

        self._executor = get_reusable_executor(max_workers=workers, timeout=IDLE_SECONDS)

    def start(self, arguments: Tuple[Any, ...]) -> Future[Any]:
        return self._executor.submit(_call_in_worker, self._digest, self._pickled, arguments)

    def stop_started(self) -> None:
        self._executor.shutdown(wait=True, kill_workers=True)
