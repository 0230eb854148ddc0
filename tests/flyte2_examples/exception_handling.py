# Ported from flyte-sdk examples/basics/exception_handling.py: a parent catches a child's RuntimeUserError by its
# code, then runs a memory-hungry child (out of memory only on a cluster, where OOMError would be caught).
import asyncio

from tests.flyte2_examples import flyte_shim as flyte

env = flyte.TaskEnvironment(name="exc_handler", resources=flyte.Resources(cpu=1, memory="250Mi"))


@env.task
async def oomer(x: int):
    large_list = [0] * 100000000
    print(len(large_list))


@env.task
async def always_fails(x: int) -> int:
    raise ValueError(f"This always fails {x}")


@env.task
async def always_succeeds() -> int:
    await asyncio.sleep(1)
    return 42


@env.task
async def failure_recovery() -> int:
    try:
        await always_fails(1)
    except flyte.errors.RuntimeUserError as e:
        if e.code != "ValueError":
            raise
        print(f"Caught exception: {e}, of type {type(e)}, {e.code}")
        try:
            await oomer(2)
        except flyte.errors.OOMError as oom_err:
            print(f"Failed with oom trying with more resources: {oom_err}, of type {type(oom_err)}, {oom_err.code}")
            raise
    return await always_succeeds()


if __name__ == "__main__":
    flyte.init_from_config()
    print(flyte.run(failure_recovery))
