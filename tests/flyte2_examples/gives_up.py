"""A task that refuses its input for good: its retries are not used, and the run fails."""

import flytekit_ext.flyte as flyte

env = flyte.TaskEnvironment(name="gives_up")


@env.task(retries=3)
def check(age: int) -> str:
    if age < 0:
        raise flyte.errors.NonRecoverableError(f"age {age} can never be valid")
    return f"age {age}"


if __name__ == "__main__":
    flyte.init_from_config()
    print(flyte.run(check, age=30).outputs()[0])
    flyte.run(check, age=-1)
