"""``short_name`` and ``.override(...)``: node names and per-call node overrides; the task itself is unchanged."""

import datetime
import typing

from flytekit_ext import eager, task, workflow


@task(short_name="train")
def train_model(rate: float) -> float:
    return 1.0 / rate


@workflow
def sweep(low: float, high: float) -> typing.List[float]:
    first = train_model(rate=low)  # node named "train"
    # This call only: node name "train-high", three retries, a longer timeout.
    longer = datetime.timedelta(hours=2)
    second = train_model.override(short_name="train-high", retries=3, timeout=longer)(rate=high)
    return [first, second]


@eager
async def sweep_eager(rates: typing.List[float]) -> typing.List[float]:
    # In an eager task the short name names the call in logs and, on a backend, its child execution.
    return [train_model.override(short_name=f"train-{i}")(rate=r) for i, r in enumerate(rates)]
