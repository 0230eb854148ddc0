"""Tuples and NamedTuples as inputs and outputs, and files, folders and tables between tasks."""

import tempfile
from pathlib import Path
from typing import NamedTuple

import pandas as pd

import flytekit_ext.flyte as flyte
from flytekit_ext.flyte.io import DataFrame, Dir, File

env = flyte.TaskEnvironment(name="values")


class Span(NamedTuple):
    start: int
    end: int


@env.task
async def bounds(xs: list[int]) -> tuple[Span, str]:
    return Span(min(xs), max(xs)), "ints"


@env.task
async def width(span: Span, kind: tuple[str, int]) -> str:
    return f"{kind[0]} {span.end - span.start} wide (x{kind[1]})"


@env.task
async def write_lines(n: int) -> File:
    made = File.new_remote(file_name="lines.txt")
    async with made.open("wb") as handle:
        await handle.write("\n".join(f"line {i}" for i in range(n)).encode())
    return made


@env.task
async def count_lines(file: File) -> int:
    async with file.open("rb") as handle:
        return len(bytes(await handle.read()).decode().splitlines())


@env.task
def folder(names: list[str]) -> Dir:
    root = Path(tempfile.mkdtemp())
    for name in names:
        (root / name).write_text(name)
    return Dir.from_local_sync(root)


@env.task
async def names_in(d: Dir) -> list[str]:
    return sorted([f.name async for f in d.walk()])


@env.task
def table(n: int) -> DataFrame:
    return DataFrame.from_df(pd.DataFrame({"n": range(n), "square": [i * i for i in range(n)]}))


@env.task
async def total(frame: DataFrame) -> int:
    return int((await frame.open(pd.DataFrame).all())["square"].sum())


@env.task
async def main(n: int) -> list[str]:
    span, kind = await bounds([3, 9, 4])
    lines = await count_lines(await write_lines(n))
    names = await names_in(await folder.aio(["a.txt", "b.txt"]))
    squares = await total(await table.aio(n))
    return [await width(span, (kind, 2)), f"{lines} lines", ",".join(names), f"sum of squares {squares}"]


if __name__ == "__main__":
    flyte.init_from_config()
    for line in flyte.run(main, n=5).outputs()[0]:
        print(line)
