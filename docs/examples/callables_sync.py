"""Callable inputs beyond the seed: sync tasks, lambdas and closures, in a task and in a workflow."""

import typing

from flytekit_ext import task, workflow


@task
def square(x: int) -> int:
    return x * x


@task
def apply_twice(x: int, fn: typing.Callable[[int], int]) -> int:
    # fn arrives as whatever was passed: a task comes back as that same task (called here, it runs here),
    # a lambda or closure comes back as a function, unpickled by cloudpickle.
    return fn(fn(x))


def offset_by(n: int) -> typing.Callable[[int], int]:
    return lambda x: x + n  # a closure: cloudpickle carries n along


@workflow
def squares_twice(x: int) -> int:
    return apply_twice(x=x, fn=square)  # the task is the input of the node, pickled by reference
