"""A body that returned a task call, or another awaitable, instead of awaiting it: what happened, what to do.

Calling an async or eager task gives a coroutine, as calling any ``async def`` does; a body that returns it
unawaited has a bug, which is reported naming the task, the output and the call, rather than as a value of the
wrong type. The coroutine is closed: it will never run, and Python's "was never awaited" warning would only
repeat the error.
"""

from __future__ import annotations

import inspect
from typing import Any, List, Optional, Sequence, Tuple


def awaitables_in(returned: Any) -> List[Tuple[int, Any]]:
    """The awaitables among what a body returned (one value, or a tuple of outputs), with their positions; each
    coroutine among them closed, never to run."""
    found = [
        (position, value)
        for position, value in enumerate(returned if isinstance(returned, tuple) else (returned,))
        if inspect.isawaitable(value)
    ]
    for _, value in found:
        if inspect.iscoroutine(value):
            value.close()
    return found


def described(awaitable: Any) -> str:
    """An awaitable as an error names it: a task call's coroutine shows the call (``module.task(...)``)."""
    return f"{type(awaitable).__name__} '{getattr(awaitable, '__qualname__', type(awaitable).__name__)}'"


def returned_unawaited(task_name: str, output_names: Sequence[str], returned: Any) -> Optional[TypeError]:
    """The error for a synchronous body that returned an awaitable as an output; ``None`` if it returned none."""
    found = awaitables_in(returned)
    if not found:
        return None
    position, value = found[0]
    output = f"output '{output_names[position]}'" if position < len(output_names) else f"output {position}"
    short = task_name.rsplit(".", 1)[-1]
    error = TypeError(
        f"Task '{task_name}' returned the {described(value)} as its {output}, never awaited: calling an async or "
        f"eager task gives a coroutine to await. Make '{short}' an async task (or @eager) and return await the "
        f"call, or run the call to completion in this synchronous task with asyncio.run(...)."
    )
    error.__suppress_context__ = True  # the failed conversion of the coroutine says nothing more
    return error
