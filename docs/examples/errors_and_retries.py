"""Retries and typed errors: the same code reacts to a failed call locally and on a Flyte backend."""

import os
import typing

from flytekit import Resources

import flytekit_ext
from flytekit_ext import eager, errors, task


@task(retries=3)
def fetch_price(item: str) -> float:
    # A flaky dependency: retried (locally after 0.5 s, 1 s, 2 s; on a cluster by the cluster).
    if os.environ.get("PRICE_SERVICE_DOWN") == item:
        raise ConnectionError(f"price service unavailable for {item}")
    return float(len(item))


@task(retries=3)
def validate(quantity: int) -> int:
    if quantity < 0:
        # No attempt could succeed: fail at once, without using up the retries.
        raise errors.NonRecoverableError(f"quantity {quantity} is negative")
    return quantity


@task
def load(rows: int) -> int:
    # Stands in for a task that may run out of memory on a cluster.
    return rows


@eager
async def order_total(items: typing.List[str], quantity: int) -> float:
    try:
        count = validate(quantity=quantity)
    except errors.RuntimeUserError as error:
        # Locally and on a backend alike: the child's error code and message (here NonRecoverableError).
        print(f"rejected ({error.code}): {error}")
        count = 0
    try:
        load(rows=count)
    except errors.OOMError:
        # On a cluster, a child killed for memory: call it again with more.
        load.override(requests=Resources(mem="4Gi"))(rows=count)
    prices = [p async for p in flytekit_ext.map.aio(fetch_price, items)]
    return sum(p for p in prices if not isinstance(p, Exception)) * count
