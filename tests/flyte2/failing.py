"""Tasks that fail, catch failures, override and retry, for the tests of local runs."""

from typing import Dict, Tuple

import flytekit_ext.flyte as flyte
from tests.flyte2.kinds import double

env = flyte.TaskEnvironment(name="failing")
_attempts: Dict[str, int] = {}


@env.task
def fails(x: int) -> int:
    raise ValueError(f"bad {x}")


@env.task
def sync_catches(x: int) -> str:
    try:
        fails(x)
    except flyte.errors.RuntimeUserError as error:
        return f"{type(error).__name__} {error.code}: {error}"
    return "no error"


@env.task
async def async_catches(x: int) -> str:
    try:
        await fails.aio(x)
    except flyte.errors.RuntimeUserError as error:
        return f"{type(error).__name__} {error.code}: {error}"
    return "no error"


@env.task
def pair() -> Tuple[int, str]:
    return 1, "one"


@env.task
def nothing() -> None:
    return None


@env.task
async def overrides_a_child(x: int) -> int:
    return await double.override(short_name="twice", retries=2).aio(x)


@env.task(retries=3)
def flaky(key: str) -> int:
    _attempts[key] = _attempts.get(key, 0) + 1
    if _attempts[key] < 3:
        raise ConnectionError(f"attempt {_attempts[key]}")
    return _attempts[key]


def plain_function() -> int:
    return 1
