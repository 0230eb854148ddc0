# Ported from flyte-sdk examples/stress/trace_fanout.py: 1000 calls of a traced function gathered in one group.
import asyncio

from tests.flyte2_examples import flyte_shim as flyte

env = flyte.TaskEnvironment(name="traces_fanout")


@flyte.trace
async def square(x: int) -> int:
    return x * x


@env.task
async def compute_squares(n: int) -> list[int]:
    with flyte.group("squares"):
        return await asyncio.gather(*(square(number) for number in range(n)))


if __name__ == "__main__":
    flyte.init_from_config()
    r = flyte.run(compute_squares, n=1000)
    assert r.outputs() == [i * i for i in range(1000)]
    print(r.url)
