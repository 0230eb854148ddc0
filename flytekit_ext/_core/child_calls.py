"""The child calls of an eager body: every task call it started, ended before the body's call completes.

An eager body may start calls that it then stops waiting for: ``asyncio.gather`` raises the first child's
error and leaves the siblings running, ``asyncio.create_task`` needs no await at all. As in an anyio task
group, none of them may outlive the body. Each task call made while a :class:`ChildCalls` encloses the code
records the asyncio task it runs in (unless that is the body's own task, which the body is waiting on anyway);
when the body ends, returned or raised, :meth:`ChildCalls.close` cancels the calls still running and waits until
they have stopped, synchronous bodies on worker threads included. On a backend a cancelled call terminates its
child execution, so local and backend runs leave the same thing behind: nothing.
"""

from __future__ import annotations

import asyncio
from typing import Any, Optional, Set


class ChildCalls:
    """The task calls one eager body started, by the asyncio tasks they run in; ``owner`` names the body."""

    def __init__(self, owner: str) -> None:
        self.owner = owner
        self._body_task = asyncio.current_task()
        self._loop = asyncio.get_running_loop()
        self._children: Set[asyncio.Task[Any]] = set()
        self._closed = False

    def adopt(self, call: str, task: Optional[asyncio.Task[Any]]) -> None:
        """Record ``task``, the asyncio task a call of task ``call`` starts in, as a child of this body.

        A call on another loop is a synchronous call, run to its end on a helper loop while the body waits:
        it cannot outlive the body, and this loop could not cancel it.
        """
        if self._closed:
            # A task the body started and did not wait for, calling after the body ended: it has no parent.
            raise RuntimeError(f"Task '{call}' was called after {self.owner} ended; it cannot run now")
        if task is self._body_task or task is None or task.get_loop() is not self._loop:
            return  # the body awaits it itself (most calls), or it is no task of this loop
        if task not in self._children:
            self._children.add(task)
            task.add_done_callback(self._children.discard)

    @property
    def running(self) -> int:
        """How many child calls are still running."""
        return sum(1 for task in self._children if not task.done())

    async def close(self, reason: str) -> None:
        """Cancel the calls still running (``reason`` is the cancellation's message) and wait for them to stop."""
        self._closed = True
        while True:
            left = [task for task in self._children if not task.done()]
            if not left:
                return
            for task in left:
                task.cancel(reason)
            # Not shielded: cancelling the body's own task (an interrupt) stops this wait too.
            await asyncio.wait(left)
