# Ported from flyte-sdk examples/basics/trace_sync.py: @flyte.trace on sync functions (one a generator) called
# from a sync task, some inside a group.
from typing import Iterator

from tests.flyte2_examples import flyte_shim as flyte

env = flyte.TaskEnvironment(name="trace_sync_demo")


@flyte.trace
def double(x: int) -> int:
    return x * 2


@flyte.trace
def range_iterator(x: int) -> Iterator[int]:
    yield from range(x)


@env.task
def sum_doubles(n: int) -> int:
    total = 0
    with flyte.group("sum_doubles"):
        for i in range(n):
            total += double(i)
    for i in range_iterator(n):
        total += double(i)
    return total


if __name__ == "__main__":
    flyte.init_from_config()
    print(flyte.run(sum_doubles, n=25).url)
