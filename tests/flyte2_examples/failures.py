"""A parent catching a child's failure by its code, retries that run out, and a map that hands back failures."""

import flytekit_ext.flyte as flyte

env = flyte.TaskEnvironment(name="failures")
attempts = {"flaky": 0}


@env.task
async def parse(text: str) -> int:
    return int(text)


@env.task(retries=2)
async def flaky(x: int) -> int:
    attempts["flaky"] += 1
    if attempts["flaky"] < 3:
        raise ConnectionError(f"attempt {attempts['flaky']} lost the connection")
    return x


@env.task
async def careful(texts: list[str]) -> list[str]:
    seen = []
    for text in texts:
        try:
            seen.append(str(await parse(text)))
        except flyte.errors.RuntimeUserError as error:
            seen.append(f"{error.code}: {error}")
    seen.append(str(await flaky(7)))
    results = [r async for r in flyte.map.aio(parse, ["1", "x"], return_exceptions=True)]
    seen.append(" / ".join(type(r).__name__ for r in results))
    return seen


if __name__ == "__main__":
    flyte.init_from_config()
    for line in flyte.run(careful, ["12", "twelve"]).outputs()[0]:
        print(line)
    try:
        flyte.run(parse, "many")
    except flyte.errors.RuntimeUserError as error:
        print(f"the run failed: {type(error).__name__} {error.code}: {error}")
