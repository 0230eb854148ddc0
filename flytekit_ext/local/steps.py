"""One description of a task run, driven either synchronously or on an event loop.

The sequence of a task call (convert inputs, run the body, convert outputs) is written once, as a generator
that yields the awaitable pieces (:class:`Step`). :func:`run_steps` drives it from synchronous code and
:func:`run_steps_async` from a coroutine, so the two paths cannot drift apart.
"""

from __future__ import annotations

from typing import Any, Awaitable, Coroutine, Generator, TypeVar

from flytekit_ext.local.loops import drive, run_coroutine

T = TypeVar("T")


class Step:
    """An awaitable piece of a run; ``loop_free`` marks one that never needs an event loop."""

    __slots__ = ("awaitable", "loop_free")

    def __init__(self, awaitable: Awaitable[Any], loop_free: bool = False) -> None:
        self.awaitable = awaitable
        self.loop_free = loop_free


Steps = Generator[Step, Any, T]


async def _await(awaitable: Awaitable[T]) -> T:
    return await awaitable


def _as_coroutine(awaitable: Awaitable[T]) -> Coroutine[Any, Any, T]:
    if isinstance(awaitable, Coroutine):
        return awaitable
    return _await(awaitable)


def run_steps(steps: Steps[T]) -> T:
    """Drive ``steps`` from synchronous code."""
    sent: Any = None
    error: BaseException | None = None
    while True:
        try:
            step = steps.throw(error) if error is not None else steps.send(sent)
        except StopIteration as done:
            return done.value
        sent, error = None, None
        coroutine = _as_coroutine(step.awaitable)
        try:
            sent = drive(coroutine) if step.loop_free else run_coroutine(coroutine)
        except BaseException as raised:  # noqa: B902 - handed back to the generator, which decides
            error = raised


async def run_steps_async(steps: Steps[T]) -> T:
    """Drive ``steps`` on the running event loop."""
    sent: Any = None
    error: BaseException | None = None
    while True:
        try:
            step = steps.throw(error) if error is not None else steps.send(sent)
        except StopIteration as done:
            return done.value
        sent, error = None, None
        try:
            sent = await step.awaitable
        except BaseException as raised:  # noqa: B902 - handed back to the generator, which decides
            error = raised
