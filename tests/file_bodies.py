"""Tasks that hand files and directories on, run by tests/test_local_data.py under flytekit and under flytekit_ext."""

# ruff: noqa: F821 - task is set by tests/twins.py before this module runs
import os
import typing

import flytekit
from flytekit import workflow
from flytekit.types.directory import FlyteDirectory
from flytekit.types.file import FlyteFile


@task
def write_file(text: str) -> FlyteFile:
    path = os.path.join(flytekit.current_context().working_directory, "data.txt")
    with open(path, "w") as out:
        out.write(text)
    return FlyteFile(path)


@task
def overwrite_and_read(f: FlyteFile) -> str:
    with open(f, "w") as out:  # a consumer writing into its input
        out.write("changed")
    with open(f) as handle:
        return handle.read()


@task
def read(f: FlyteFile) -> str:
    with open(f) as handle:
        return handle.read()


@task
def pass_on(f: FlyteFile) -> FlyteFile:
    return f


@task
def path_of(f: FlyteFile) -> FlyteFile:
    return f.path  # the path alone, read without opening the file


@workflow
def files_fan_out(text: str) -> typing.Tuple[str, str]:
    f = write_file(text=text)
    changed = overwrite_and_read(f=f)
    after = read(f=pass_on(f=f))
    changed >> after
    return changed, after


@task
def write_dir() -> FlyteDirectory:
    folder = os.path.join(flytekit.current_context().working_directory, "out")
    os.makedirs(folder, exist_ok=True)
    for name in ("a.txt", "b.txt"):
        with open(os.path.join(folder, name), "w") as out:
            out.write(name)
    return FlyteDirectory(folder)


@task
def listed(d: FlyteDirectory) -> int:
    return len(os.listdir(d.path))  # read through the path, never downloaded


@workflow
def dir_listed() -> int:
    return listed(d=write_dir())


@workflow
def path_passed_on(text: str) -> str:
    return read(f=path_of(f=write_file(text=text)))
