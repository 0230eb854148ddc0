"""``map(..., processes=N)``: items in worker processes, so CPU-bound tasks use every core.

Two kinds of workers, chosen per map:

* **Forked** (:class:`ForkedItems`), on Linux when the process runs no thread but the one making the map: the
  workers are forked from this process, so they start in milliseconds with flytekit, the task and its module
  already loaded, and items start running at once, even in a fresh process's first map. They belong to the map:
  it ends them when it ends. (Forking copies only the forking thread, so a lock another thread held would stay
  held in the workers: with any other thread running, the map takes the second kind.)
* **Spawned** (:class:`ProcessItems`), anywhere else: loky's reusable executor, whose workers start as fresh
  interpreters that import flytekit (about two seconds), then serve later maps too, until they have been idle for
  ``IDLE_SECONDS``. The task travels to them pickled once per map, with cloudpickle: by reference when its module
  can be imported by name in a fresh process, by value otherwise (a task defined in a script run as
  ``__main__``, or in a module loaded from a file under another name).

Either way each worker calls the task as a local call made at top level, so inputs and outputs go through
flytekit's type engine there; an item's error comes back with the worker's traceback as its cause; and a map that
stops early (its first failure, the consumer leaving, Ctrl-C) stops its items by ending the workers.
"""

from __future__ import annotations

import contextvars
import hashlib
import multiprocessing
import os
import signal
import sys
import threading
import uuid
from concurrent.futures import CancelledError, Future
from typing import Any, Dict, Iterator, List, Optional, Tuple, Union

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


# In this process, and so in the workers forked from it: the tasks of the maps running in forked workers.
_forked_targets: Dict[str, Any] = {}
# In a forked worker: the context its items run in, as calls made at top level (none of the map's own).
_worker_context: Optional[contextvars.Context] = None


def can_fork() -> bool:
    """Whether a map's workers may be forked from this process now (see the module's description)."""
    return sys.platform == "linux" and threading.active_count() == 1


def _start_forked_worker() -> None:
    global _worker_context
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the map's process's to handle: it ends the workers
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _worker_context = contextvars.Context()


def _call_forked(key: str, pickled_arguments: bytes) -> bytes:
    # Arguments and results travel as cloudpickles, as with loky (a lambda is a valid item).
    arguments = cloudpickle.loads(pickled_arguments)
    context = _worker_context if _worker_context is not None else contextvars.Context()
    return cloudpickle.dumps(context.run(_forked_targets[key].call, *arguments))


class ForkedItems:
    """Starts a map's items in workers forked from this process; ends the workers when the map ends."""

    def __init__(self, target: Any, workers: int) -> None:
        self._key = uuid.uuid4().hex
        self._target = target
        self._workers = workers
        self._pool: Any = None
        self._started: List[Future[Any]] = []

    def open(self) -> None:
        """Fork the workers: when the map starts, before it starts anything else (a progress bar's thread)."""
        _forked_targets[self._key] = self._target  # before the fork: the workers find it where this process has it
        self._pool = multiprocessing.get_context("fork").Pool(self._workers, initializer=_start_forked_worker)

    def start(self, arguments: Tuple[Any, ...]) -> Future[Any]:
        future: Future[Any] = Future()
        future.set_running_or_notify_cancel()  # queued in the pool, where it can no longer be dropped
        self._started = [started for started in self._started if not started.done()]
        self._started.append(future)

        def done(pickled: bytes) -> None:
            try:
                future.set_result(cloudpickle.loads(pickled))
            except Exception as error:  # noqa: BLE001 - a result that cannot be read back is the item's failure
                future.set_exception(error)

        self._pool.apply_async(
            _call_forked, (self._key, cloudpickle.dumps(arguments)), callback=done, error_callback=future.set_exception
        )
        return future

    def stop_started(self) -> None:
        """End the workers, and with them the items they run: those items end as cancelled."""
        if self._pool is None:
            return
        self._pool.terminate()
        self._pool.join()  # the pool's threads are gone too: nothing else settles these futures now
        for future in self._started:
            if not future.done():
                future.set_exception(CancelledError("the map stopped before this item ended"))

    def close(self) -> None:
        """The map ended (its items are done or stopped): its workers end too."""
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
        _forked_targets.pop(self._key, None)
