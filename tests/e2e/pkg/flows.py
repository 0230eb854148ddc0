"""Module-level flytekit_ext tasks, an eager task, a workflow and a map task, as a user project would write them.

``pyflyte --pkgs tests.e2e.pkg package`` serializes everything here; ``pyflyte-execute`` loads the tasks back
through ``flytekit_ext.resolver.default_task_resolver``; ``pyflyte run`` runs them from the command line.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Dict, List

import pandas as pd
from flytekit import map_task
from flytekit.core.interface import Interface
from flytekit.exceptions.system import FlyteNonRecoverableSystemException

import flytekit_ext
from flytekit_ext import PythonInstanceTask, eager, errors, task, workflow


@dataclass
class Point:
    x: int
    y: int
    label: str = ""


@task
def add_one(x: int) -> int:
    return x + 1


@task
async def double(x: int) -> int:
    await asyncio.sleep(0)
    return 2 * x


@task
def shift(p: Point, by: int) -> Point:
    return Point(x=p.x + by, y=p.y + by, label=f"{p.label}+{by}")


@task
def summarize(xs: List[int], weights: Dict[str, float]) -> Dict[str, float]:
    return {"total": float(sum(xs)), "weighted": sum(weights.get(str(x), 0.0) * x for x in xs)}


@task
def fail(message: str) -> int:
    if message:
        raise ValueError(f"user failure: {message}")
    return 0


@task(retries=3)
def fail_for_good(message: str) -> int:
    raise errors.NonRecoverableError(f"no attempt could succeed: {message}")


@task(retries=3)
def fail_as_flytekit_says(message: str) -> int:
    raise FlyteNonRecoverableSystemException(ValueError(message))


@task
def only_raises(x: int) -> int:
    raise KeyError(x)


@task
def wrong_output(x: int) -> int:
    return f"{x}"  # type: ignore[return-value]


class Multiply(PythonInstanceTask[None]):
    """An instance task: the body is ``execute``."""

    def execute(self, **kwargs: Any) -> Any:
        return kwargs["x"] * 10


multiply = Multiply(name="multiply", task_config=None, interface=Interface(inputs={"x": int}, outputs={"o0": int}))


@task
def square(x: int) -> int:
    return x * x


squares = map_task(square)


@eager
async def eager_total(x: int) -> int:
    a = add_one(x=x)
    b = await double(x=a)
    return b + multiply(x=x)


@workflow
def pipeline(x: int = 1) -> int:
    a = add_one(x=x)
    b = double(x=a)
    return multiply(x=b)


@workflow
def mapped(xs: List[int]) -> List[int]:
    return squares(x=xs)


@task
def squares_in_processes(xs: List[int]) -> List[int]:
    # A map whose items run in worker processes, started inside a task that pyflyte run loaded from a file.
    return list(flytekit_ext.map(square, xs, processes=2))


@task
def frame_of(n: int) -> pd.DataFrame:
    return pd.DataFrame({"a": list(range(n))})


@task
def frame_doubled(df: pd.DataFrame) -> pd.DataFrame:
    df["a"] = df["a"] * 2
    return df


@workflow
def frame_pipeline(n: int = 3) -> pd.DataFrame:
    """A DataFrame kept in memory between the tasks, and the workflow's output as pyflyte run shows it."""
    return frame_doubled(df=frame_of(n=n))
