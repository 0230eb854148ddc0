"""``.forward()`` runs a task's body as a plain function call: reuse a task's logic without a task call."""

import typing

from flytekit_ext import task


@task
def normalize(values: typing.List[float]) -> typing.List[float]:
    total = sum(values)
    return [v / total for v in values]


@task
def normalize_all(batches: typing.List[typing.List[float]]) -> typing.List[typing.List[float]]:
    # One task call for all batches: forward runs normalize's body for each batch, with no input or output
    # conversion, no local cache lookup and no deck. normalize(values=b) would also work here, as a task call.
    return [normalize.forward(b) for b in batches]
