"""A non-test module that tries to make a task of a nested function, which pyflyte-execute could never import."""

from __future__ import annotations

from flytekit_ext import task


def make_nested_task() -> object:
    @task
    def inner(x: int) -> int:
        return x

    return inner
