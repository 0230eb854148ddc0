"""Where ``flyte.io`` values live: flytekit's data persistence (the raw data prefix of the running task).

Locally that is a folder on this machine, in a pod the bucket the cluster gives the execution; paths anywhere
fsspec reaches (``s3://``, ``gs://``, ``file://``, local paths) are read and written the same way.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import IO, Any, Optional, Union

from flytekit.core.context_manager import FlyteContextManager
from flytekit.core.data_persistence import FileAccessProvider


def file_access() -> FileAccessProvider:
    return FlyteContextManager.current_context().file_access


def is_remote(path: str) -> bool:
    return FileAccessProvider.is_remote(path)


def must_upload(path: str) -> bool:
    """Whether a task handing on ``path`` must copy it to the raw data store: when the path is on this machine
    and the store is not (in a pod). With a local store (a local run) the file stays where it is, as in Flyte 2."""
    return not is_remote(path) and is_remote(file_access().raw_output_prefix)


def new_remote_file(name: Optional[str] = None) -> str:
    return file_access().get_random_remote_path(name)


def new_remote_folder() -> str:
    return file_access().get_random_remote_directory()


def upload(local: Union[str, Path], remote: Optional[str] = None, folder: bool = False) -> str:
    """Copy a local file or folder to ``remote`` (default: a new place under the raw data prefix); its path."""
    access = file_access()
    if remote is None:
        remote = access.get_random_remote_directory() if folder else access.get_random_remote_path(Path(local).name)
    return access.put_data(str(local), remote, is_multipart=folder)


def download(remote: str, local: Optional[Union[str, Path]] = None, folder: bool = False) -> str:
    """Copy a file or folder to this machine (default: a new local place); its local path."""
    access = file_access()
    if local is None:
        local = access.get_random_local_directory() if folder else access.get_random_local_path(Path(remote).name)
    access.get_data(remote, str(local), is_multipart=folder)
    return str(local)


def filesystem(path: str) -> Any:
    return file_access().get_filesystem_for_path(path)


def open_file(path: str, mode: str) -> IO[Any]:
    if "w" in mode and not is_remote(path):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    return filesystem(path).open(path, mode)


def exists(path: str) -> bool:
    return bool(filesystem(path).exists(path))


async def in_thread(function: Any, *args: Any) -> Any:
    """Blocking storage calls from async code run on a worker thread, as Flyte 2's async methods do not block."""
    return await asyncio.to_thread(function, *args)


class AsyncFile:
    """A file opened by ``async with file.open(mode)``: each of its methods awaited (``await handle.read()``,
    ``await handle.write(data)``, ``await handle.readlines()``, ...), lines by ``async for``."""

    def __init__(self, opened: IO[Any]) -> None:
        self._opened = opened

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._opened, name)
        if not callable(found):
            return found

        async def awaited(*args: Any, **kwargs: Any) -> Any:
            return await asyncio.to_thread(found, *args, **kwargs)

        return awaited

    def __aiter__(self) -> AsyncFile:
        return self

    async def __anext__(self) -> Any:
        line = await asyncio.to_thread(self._opened.readline)
        if not line:
            raise StopAsyncIteration
        return line
