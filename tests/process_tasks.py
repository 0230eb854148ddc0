"""Module-level tasks for the process-map tests (importable, so workers load them by reference)."""

import os
import time

from flytekit_ext import task


@task
def square(x: int) -> int:
    return x * x


@task
def pid_of(x: int) -> int:
    time.sleep(0.05)
    return os.getpid()


@task
def fails_at(x: int, bad: int) -> int:
    if x == bad:
        raise ValueError(f"item {x} failed")
    return x


@task
def slow_pid(x: int, bad: int) -> int:
    if x == bad:
        raise ValueError(f"item {x} failed")
    time.sleep(120)
    return os.getpid()
