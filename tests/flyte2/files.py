"""Tasks that write, read, hand on and list files, folders and tables."""

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, List

import pandas as pd
from flytekit.types.file import FlyteFile

import flytekit_ext
import flytekit_ext.flyte as flyte
from flytekit_ext.flyte.io import DataFrame, Dir, File

env = flyte.TaskEnvironment(name="files")


@env.task
async def write(text: str) -> File:
    made = File.new_remote(file_name="note.txt")
    async with made.open("wb") as handle:
        await handle.write(text.encode())
    return made


@env.task
def write_sync(text: str) -> File:
    made = File.new_remote()
    with made.open_sync("w") as handle:
        handle.write(text)
    return made


@env.task
async def read(file: File) -> str:
    async with file.open("rb") as handle:
        return bytes(await handle.read()).decode()


@env.task
def read_sync(file: File) -> str:
    with open(file.download_sync()) as handle:
        return handle.read()


@env.task
async def round_trip(text: str) -> List[str]:
    written = await write(text)
    copy = await write_sync.aio(text.upper())
    return [await read(written), await read_sync.aio(copy), str(await written.exists()), written.name]


@env.task
def local_file(text: str) -> File:
    folder = Path(tempfile.mkdtemp())
    (folder / "made.txt").write_text(text)
    return File.from_local_sync(folder / "made.txt")


@flytekit_ext.task
def plain_flytekit_reads(file: FlyteFile) -> str:
    with open(file) as handle:
        return handle.read()


@dataclass
class Bundle:
    label: str
    file: File


@env.task
def bundle(text: str) -> Bundle:
    return Bundle(label="b", file=File.from_local_sync(local_file.forward(text).path))


@env.task
def unbundle(bundle: Bundle) -> str:
    return f"{bundle.label}:{bundle.file.name}:{Path(bundle.file.download_sync()).read_text()}"


@env.task
async def folder(names: List[str]) -> Dir:
    root = Path(tempfile.mkdtemp())
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(name.upper())
    return await Dir.from_local(root)


@env.task
async def list_folder(d: Dir) -> List[str]:
    walked = sorted(f.name for f in d.walk_sync())
    found = await d.get_file("a.txt")
    text = Path(await found.download()).read_text() if found else ""
    return [*walked, text, str(d.get_file_sync("missing.txt"))]


@env.task
def table(n: int) -> Annotated[DataFrame, "csv"]:
    return DataFrame.from_df(pd.DataFrame({"x": list(range(n)), "y": [i * i for i in range(n)]}))


@env.task
def total(frame: pd.DataFrame) -> int:
    return int(frame["y"].sum())


@env.task
async def total_of(frame: DataFrame) -> int:
    loaded = await frame.all()
    return int(loaded["y"].sum())
