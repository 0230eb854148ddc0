"""Terminating the child executions an eager run left running, patiently but not forever.

The admin service can be briefly unavailable exactly when a cleanup matters most (a failing or killed
run), so each round of list-and-terminate is retried with exponential backoff, and the whole cleanup gives
up after a bounded time with an error that says what may still be running.

A parent killed while it launched a child may leave that launch in flight: the admin service creates the
child after the parent is gone, possibly after the first listing. So an empty listing is trusted only once
it has stayed empty for ``settle_s``.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any, Callable, List

from flytekit.core.constants import EAGER_TAG_KEY
from flytekit.loggers import logger
from flytekit.models.admin import common as admin_common
from flytekit.models.filters import ValueIn

from flytekit_ext._core.backoff import Backoff

ACTIVE_PHASES = ["UNDEFINED", "QUEUED", "RUNNING"]


DEADLINE_ENV = "FLYTEKIT_EXT_EAGER_CLEANUP_DEADLINE_SECONDS"
SETTLE_ENV = "FLYTEKIT_EXT_EAGER_CLEANUP_SETTLE_SECONDS"


@dataclass(frozen=True)
class CleanupPolicy:
    """How long to keep trying: ``deadline_s`` in all, waiting ``retry`` between failed rounds (0.5 s doubling to
    8 s); done once no running child has been seen for ``settle_s``, listing every ``retry.first_s`` meanwhile."""

    deadline_s: float = 120.0
    retry: Backoff = field(default_factory=lambda: Backoff(first_s=0.5, factor=2.0, cap_s=8.0))
    settle_s: float = 5.0
    page_size: int = 100

    @staticmethod
    def from_environment() -> CleanupPolicy:
        """The default policy, with the deadline and settle time from the environment, if set.

        ``FLYTEKIT_EXT_EAGER_CLEANUP_DEADLINE_SECONDS`` and ``FLYTEKIT_EXT_EAGER_CLEANUP_SETTLE_SECONDS``.
        """
        defaults = CleanupPolicy()
        return CleanupPolicy(
            deadline_s=float(os.environ.get(DEADLINE_ENV) or defaults.deadline_s),
            settle_s=float(os.environ.get(SETTLE_ENV) or defaults.settle_s),
        )


@dataclass
class CleanupReport:
    terminated: List[str]  # names of the executions terminated
    gave_up: bool
    last_error: str = ""


def terminate_children(
    client: Any,
    project: str,
    domain: str,
    parent_execution: str,
    policy: CleanupPolicy = CleanupPolicy(),
    sleep: Callable[[float], None] = time.sleep,
) -> CleanupReport:
    """Terminate every active execution tagged as a child of ``parent_execution``, until none is left."""
    filters = [
        ValueIn("execution_tag.key", [EAGER_TAG_KEY]),
        ValueIn("execution_tag.value", [parent_execution]),
        ValueIn("phase", ACTIVE_PHASES),
    ]
    newest_first = admin_common.Sort("created_at", admin_common.Sort.Direction.DESCENDING)
    report = CleanupReport(terminated=[], gave_up=False)
    started = time.monotonic()
    failures = 0  # admin failures in a row
    quiet_since: float | None = None  # when the listings became empty
    while True:
        try:
            found, _ = client.list_executions_paginated(
                project, domain, limit=policy.page_size, filters=filters, sort_by=newest_first
            )
            if not found:
                now = time.monotonic()
                quiet_since = now if quiet_since is None else quiet_since
                if now - quiet_since >= policy.settle_s:
                    logger.warning(
                        f"Eager cleanup of {project}/{domain}/{parent_execution}: no child execution running; "
                        f"{_terminated(report)}"
                    )
                    return report
                sleep(min(policy.retry.first_s, policy.settle_s - (now - quiet_since)))
                continue
            quiet_since = None
            for execution in found:
                logger.warning(
                    f"Eager cleanup of {parent_execution}: terminating {execution.id.name} "
                    f"(phase {execution.closure.phase})"
                )
                client.terminate_execution(execution.id, f"cleaned up by failed eager execution {parent_execution}")
                report.terminated.append(execution.id.name)
            failures = 0  # progress: the next round starts patient again
        except Exception as error:  # noqa: BLE001 - any admin failure is retried until the deadline
            report.last_error = f"{type(error).__name__}: {error}"
            logger.warning(f"Eager cleanup of {parent_execution}: admin call failed ({report.last_error}); retrying")
            failures += 1
        delay = policy.retry.delay(max(failures, 1))
        elapsed = time.monotonic() - started
        if elapsed + delay > policy.deadline_s:
            report.gave_up = True
            logger.error(
                f"Eager cleanup of {project}/{domain}/{parent_execution} gave up after {elapsed:.1f}s; "
                f"child executions may still be running. Last error: {report.last_error or 'none'}. "
                f"{_terminated(report)}"
            )
            return report
        sleep(delay)


def _terminated(report: CleanupReport) -> str:
    """The summary line of what a cleanup terminated, which the failure node's log ends with."""
    if not report.terminated:
        return "terminated no child execution"
    return f"terminated {len(report.terminated)} child execution(s): {', '.join(report.terminated)}"
