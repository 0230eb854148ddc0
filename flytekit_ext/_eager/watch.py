"""Following the phases of an eager run's children: one listing loop for all of them, whatever their number.

Asking the admin for each running child on its own costs a call per child per poll: a thousand children in
flight are a thousand calls a cycle. Instead one thread lists the executions labelled as this run's children
(``eager-exec: <parent>``, as the failure handler finds them), page by page, and hands every child that reached a
terminal phase to the call waiting for it. After the first listing it lists only what changed: executions
updated since the previous listing began, less :data:`OVERLAP_SECONDS` for the clocks of this pod and the admin
service to differ and for writes to land late. A listing costs one call per hundred changed children, however
many are running; a cycle with nothing changed costs one call. Listings come quickly at first (after 0.1 s,
doubling) and every ``FLYTEKIT_EXT_EAGER_MAX_POLL_SECONDS`` (2 s) after that.

Should a change ever escape the listings, a child not seen in a listing for a while (30 s, doubling to 10 min)
is asked for by name, a hundred at a time. When listings keep failing for :data:`GIVE_UP_SECONDS`, the calls
waiting on children fail with the admin's error rather than waiting forever.
"""

from __future__ import annotations

import asyncio
import datetime
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from flytekit.core.constants import EAGER_TAG_KEY
from flytekit.loggers import logger
from flytekit.models.admin import common as admin_common
from flytekit.models.core.execution import WorkflowExecutionPhase
from flytekit.models.filters import Filter, GreaterThanOrEqual, ValueIn

from flytekit_ext._core.backoff import Backoff

#: How far back before the previous listing began the next one reaches (clock skew, writes landing late).
OVERLAP_SECONDS = 3.0
#: How long listings may keep failing before the calls waiting on children fail.
GIVE_UP_SECONDS = 120.0
PAGE_SIZE = 100

TERMINAL_PHASES = frozenset(
    {
        WorkflowExecutionPhase.SUCCEEDED,
        WorkflowExecutionPhase.FAILED,
        WorkflowExecutionPhase.ABORTED,
        WorkflowExecutionPhase.TIMED_OUT,
    }
)


@dataclass(frozen=True)
class Ended:
    """How a child execution ended: its terminal phase, its error (if it failed) and why it was aborted (if it was)."""

    phase: int
    error: Any = None  # flytekit's ExecutionError model
    abort_cause: str = ""

    @staticmethod
    def of(execution: Any) -> Optional[Ended]:
        """How ``execution`` (an admin execution model) ended; None while it runs."""
        closure = execution.closure
        if closure.phase not in TERMINAL_PHASES:
            return None
        aborted = closure.abort_metadata
        return Ended(closure.phase, closure.error, aborted.cause if aborted is not None else "")


@dataclass(eq=False)
class _Watch:
    loop: asyncio.AbstractEventLoop
    ended: asyncio.Future[Ended]
    seen: float  # time.monotonic() when it was last seen in a listing (or started being watched)
    rechecks: int = 0


def _settle(future: asyncio.Future[Ended], outcome: Any) -> None:
    if future.done():
        return
    if isinstance(outcome, BaseException):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)


def _rfc3339(epoch_seconds: float) -> str:
    moment = datetime.datetime.fromtimestamp(epoch_seconds, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class StatusWatcher:
    """Follows the children of eager execution ``parent`` in ``project``/``domain`` for the calls awaiting them."""

    remote: Any  # its client is made when first used: a body that calls no task makes none
    project: str
    domain: str
    parent: str
    poll: Backoff
    recheck: Backoff = field(default_factory=lambda: Backoff(first_s=30.0, factor=2.0, cap_s=600.0))
    retry: Backoff = field(default_factory=lambda: Backoff(first_s=0.5, factor=2.0, cap_s=8.0))
    _watched: Dict[str, _Watch] = field(default_factory=dict, init=False, repr=False)
    _wake: threading.Condition = field(default_factory=threading.Condition, init=False, repr=False)
    _thread: Optional[threading.Thread] = field(default=None, init=False, repr=False)
    _closing: bool = field(default=False, init=False, repr=False)
    _since: Optional[float] = field(default=None, init=False, repr=False)  # epoch seconds the next listing reaches

    # --- the calls' side (on their event loops) ------------------------------------------------------------

    def watch(self, name: str, execution: Any = None) -> asyncio.Future[Ended]:
        """A future of how child execution ``name`` ends; ``execution``: what the caller already knows of it."""
        loop = asyncio.get_running_loop()
        ended: asyncio.Future[Ended] = loop.create_future()
        known = Ended.of(execution) if execution is not None else None
        if known is not None:
            ended.set_result(known)
            return ended
        with self._wake:
            if self._closing:
                raise RuntimeError(f"The eager execution {self.parent} has ended; it follows no child any more")
            self._watched[name] = _Watch(loop, ended, time.monotonic())
            if self._thread is None:
                self._thread = threading.Thread(target=self._serve, name=f"eager-status-{self.parent}", daemon=True)
                self._thread.start()
            if len(self._watched) == 1:
                self._wake.notify()  # it may be idle
        return ended

    def forget(self, name: str) -> None:
        """Stop following ``name`` (its call no longer waits for it)."""
        with self._wake:
            self._watched.pop(name, None)

    def close(self, timeout: float = 30.0) -> None:
        """Stop following children, and wait for the listing thread to end."""
        with self._wake:
            self._closing = True
            left = list(self._watched.values())
            self._watched.clear()
            self._wake.notify()
            thread = self._thread
        for watch in left:
            self._resolve(watch, RuntimeError(f"The eager execution {self.parent} ended while its child ran"))
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                logger.warning(f"Eager {self.parent}: the child status listing did not stop within {timeout:.0f}s")

    # --- the listing thread --------------------------------------------------------------------------------

    def _serve(self) -> None:
        cycle = failures = 0
        failing_since: Optional[float] = None
        while True:
            with self._wake:
                while not self._closing and not self._watched:
                    cycle = 0
                    self._wake.wait()
                if self._closing:
                    return
            try:
                self._list_changes()
                self._recheck_unseen()
            except Exception as error:  # noqa: BLE001 - the admin is asked again; the calls fail only after a while
                failures += 1
                failing_since = failing_since if failing_since is not None else time.monotonic()
                if time.monotonic() - failing_since > GIVE_UP_SECONDS:
                    self._fail_all(error)
                    failing_since, failures = None, 0
                    continue
                delay = self.retry.delay(failures)
                logger.warning(f"Eager {self.parent}: listing child executions failed ({error}); again in {delay:.1f}s")
            else:
                failing_since, failures = None, 0
                cycle += 1
                delay = self.poll.delay(cycle)
            with self._wake:
                if not self._closing:
                    self._wake.wait(delay)

    def _filters(self) -> List[Filter]:
        return [ValueIn("execution_tag.key", [EAGER_TAG_KEY]), ValueIn("execution_tag.value", [self.parent])]

    def _list(self, filters: List[Filter]) -> None:
        oldest_first = admin_common.Sort("created_at", admin_common.Sort.Direction.ASCENDING)
        token: Optional[str] = ""
        while token is not None:
            page, next_token = self.remote.client.list_executions_paginated(
                self.project, self.domain, limit=PAGE_SIZE, token=token, filters=filters, sort_by=oldest_first
            )
            for execution in page:
                self._observe(execution)
            token = next_token or None

    def _list_changes(self) -> None:
        began = time.time()
        filters = self._filters()
        if self._since is not None:
            filters.append(GreaterThanOrEqual("updated_at", _rfc3339(self._since)))
        self._list(filters)
        self._since = began - OVERLAP_SECONDS

    def _recheck_unseen(self) -> None:
        now = time.monotonic()
        with self._wake:
            due = [name for name, w in self._watched.items() if now - w.seen >= self.recheck.delay(w.rechecks + 1)]
        for start in range(0, len(due), PAGE_SIZE):
            names = due[start : start + PAGE_SIZE]
            logger.info(f"Eager {self.parent}: asking for {len(names)} child execution(s) not seen in a while")
            self._list([*self._filters(), ValueIn("name", names)])
            with self._wake:
                for name in names:
                    watch = self._watched.get(name)
                    if watch is not None:
                        watch.rechecks += 1
                        watch.seen = now

    def _observe(self, execution: Any) -> None:
        name = execution.id.name
        ended = Ended.of(execution)
        with self._wake:
            watch = self._watched.get(name)
            if watch is None:
                return
            if ended is None:
                watch.seen = time.monotonic()
                return
            del self._watched[name]
        self._resolve(watch, ended)

    def _fail_all(self, error: BaseException) -> None:
        with self._wake:
            left = list(self._watched.items())
            self._watched.clear()
        logger.error(f"Eager {self.parent}: could not list its child executions for {GIVE_UP_SECONDS:.0f}s: {error}")
        for name, watch in left:
            failure = RuntimeError(
                f"Could not learn the phase of child execution {name} of eager execution {self.parent}: listing "
                f"child executions failed for {GIVE_UP_SECONDS:.0f}s, last with {type(error).__name__}: {error}"
            )
            self._resolve(watch, failure)

    @staticmethod
    def _resolve(watch: _Watch, outcome: Any) -> None:
        try:
            watch.loop.call_soon_threadsafe(_settle, watch.ended, outcome)
        except RuntimeError:  # its loop is closed: nobody waits any more
            pass
