"""Tasks whose body only raises (written to fail, to exercise retries or error handling) are accepted.

flytekit refuses a function annotated to return a value whose source has no ``return`` when it is decorated
(``FlyteMissingReturnValueException``); Flyte 2 accepts it, and so does flytekit_ext: it raises when it runs.
"""

import asyncio

import flytekit
import pytest
from flytekit.exceptions.user import FlyteMissingReturnValueException

from flytekit_ext import dynamic, eager, errors, task


def raise_only(x: int) -> int:
    raise ValueError(f"bad {x}")


async def async_raise_only(x: int) -> int:
    raise KeyError(x)


def test_flytekit_refuses_them_when_decorating():
    with pytest.raises(FlyteMissingReturnValueException, match="must return a value"):
        flytekit.task(raise_only)


def test_a_task_that_only_raises_is_accepted_and_raises_when_it_runs():
    failing = task(raise_only)
    assert failing.python_interface.outputs == {"o0": int}
    with pytest.raises(ValueError, match="bad 5"):
        failing(x=5)


def test_an_async_task_that_only_raises_is_accepted():
    with pytest.raises(KeyError):
        asyncio.run(task(async_raise_only)(x=2))


def test_an_eager_or_dynamic_task_that_only_raises_is_accepted():
    assert eager(async_raise_only).python_interface.outputs == {"o0": int}
    assert dynamic(raise_only).python_interface.outputs == {"o0": int}


only_raises = task(raise_only)


@eager
async def handles(x: int) -> str:
    try:
        only_raises(x=x)
    except errors.RuntimeUserError as error:
        return f"{error.code}: {error}"
    return "no error"


def test_its_failure_is_what_an_eager_parent_catches():
    assert asyncio.run(handles(x=3)) == "ValueError: bad 3"


@task
def forgot_to_return(x: int) -> int:
    print(x)


def test_a_body_that_forgets_to_return_fails_when_it_runs_naming_the_task():
    with pytest.raises(Exception, match="forgot_to_return") as raised:
        forgot_to_return(x=1)
    assert "NoneType" in str(raised.value) or "None" in str(raised.value)
