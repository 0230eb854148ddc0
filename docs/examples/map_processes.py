"""``map(..., processes=True)``: CPU-bound items in worker processes, one per core."""

import typing

import flytekit_ext
from flytekit_ext import task


@task
def checksum(n: int) -> int:
    # Pure Python arithmetic: worker threads would take turns on one core; worker processes use all of them.
    total = 0
    for i in range(n):
        total = (total * 31 + i) % 1_000_003
    return total


def checksums(sizes: typing.List[int]) -> typing.List[int]:
    # Results come back in input order; an item's error comes back with the worker's traceback as its cause.
    return list(flytekit_ext.map(checksum, sizes, processes=True))


if __name__ == "__main__":
    # A task defined in a script run as __main__ travels to the workers by value.
    print(checksums([100_000, 200_000, 300_000]))
