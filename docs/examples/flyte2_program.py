"""A Flyte 2 program whose imports were changed, and nothing else: it runs locally and prints what Flyte 2 prints.

    python flyte2_program.py        # local run
    pyflyte run flyte2_program.py main --words '["a", "bb"]'
    pyflyte package --image ... / pyflyte register ...
"""

import asyncio
from typing import List

import flytekit_ext.flyte as flyte  # was: import flyte
from flytekit_ext.flyte.io import File  # was: from flyte.io import File

env = flyte.TaskEnvironment(
    name="words",
    image=flyte.Image.from_debian_base().with_pip_packages("requests"),
    resources=flyte.Resources(cpu=1, memory="500Mi"),
)


@env.task
def measure(word: str) -> int:
    # A def task: on a cluster, a pod of its own when a parent calls it.
    return len(word)


@env.task
async def write(lines: List[str]) -> File:
    # An async task that calls no task: a plain async task.
    made = File.new_remote(file_name="report.txt")
    async with made.open("wb") as handle:
        await handle.write("\n".join(lines).encode())
    return made


@env.task
async def report(words: List[str]) -> File:
    # An async task that calls tasks: a parent (an eager task), each call a child execution on a cluster.
    with flyte.group("measure"):
        lengths = await asyncio.gather(*(measure.aio(word) for word in words))
    return await write([f"{word}: {length}" for word, length in zip(words, lengths)])


@env.task
async def main(words: List[str]) -> str:
    made = await report(words)
    async with made.open("rb") as handle:
        return bytes(await handle.read()).decode()


if __name__ == "__main__":
    flyte.init_from_config()  # no configuration file: local runs
    run = flyte.run(main, words=["apple", "fig"])
    print(run.outputs()[0])
