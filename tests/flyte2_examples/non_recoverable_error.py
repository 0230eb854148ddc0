# Ported from flyte-sdk examples/retries_timeout/non_recoverable_error.py: a task with retries=3 raises
# NonRecoverableError, so it fails on its first attempt, without retrying.
from tests.flyte2_examples import flyte_shim as flyte

env = flyte.TaskEnvironment(name="non_recoverable", resources=flyte.Resources(cpu=1, memory="250Mi"))


@env.task(retries=3)
async def validate_and_process(x: int) -> str:
    if x < 0:
        raise flyte.errors.NonRecoverableError(
            f"Input x={x} is negative. Negative inputs are always invalid — retrying would not help."
        )
    return f"processed({x})"


if __name__ == "__main__":
    flyte.init_from_config()
    print(flyte.run(validate_and_process, x=-5).url)
