"""``flyte.io.File``: a file a task takes or returns, on Flyte 1 a single-blob literal (as flytekit's ``FlyteFile``).

A ``File`` is a ``path``, local or remote, with a ``name`` (the path's last part), a ``format`` and an optional
``hash``. A local file a task returns is uploaded under the raw data prefix when the output is made (in a pod;
a local run keeps it where it is, as Flyte 2 does);
a file a task receives is read where it is, when it is opened or downloaded. Every method has Flyte 2's two
forms: ``await f.download()`` in async code, ``f.download_sync()`` in sync code (``open`` and ``open_sync``).
Its literal is a single blob, so a ``File`` output feeds a flytekit ``FlyteFile`` input and the other way
round.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, AsyncIterator, Generic, Iterator, Optional, TypeVar, Union

from flytekit.core.type_engine import TypeEngine
from flytekit.models.core.types import BlobType

from flytekit_ext.flyte._context import TASK
from flytekit_ext.flyte.io import _storage as storage
from flytekit_ext.flyte.io._blob import BlobTransformer, StoredBlob

T = TypeVar("T")


@dataclass
class File(StoredBlob, Generic[T]):
    """A file: ``path`` (local or remote), ``name``, ``format``, ``hash``; see the module's description."""

    KIND = "file"
    DIMENSIONALITY = BlobType.BlobDimensionality.SINGLE

    path: str
    name: Optional[str] = None
    format: str = ""
    hash: Optional[str] = None
    hash_method: Any = field(default=None, compare=False)

    def __post_init__(self) -> None:
        self.path = str(self.path)
        if self.name is None:
            self.name = Path(self.path).name

    def __str__(self) -> str:
        # As Flyte 2's (a pydantic model) prints.
        return f"path={self.path!r} name={self.name!r} format={self.format!r} hash={self.hash!r} hash_method=None"

    # Made by these.

    @classmethod
    def from_existing_remote(cls, remote_path: str, file_cache_key: Optional[str] = None) -> File[T]:
        """A file that exists already, at ``remote_path``."""
        return cls(path=remote_path, hash=file_cache_key)

    @classmethod
    def new_remote(cls, file_name: Optional[str] = None, hash_method: Any = None) -> File[T]:
        """A new file under the running task's raw data prefix, to write with ``open("wb")``."""
        known = hash_method if isinstance(hash_method, str) else None
        return cls(path=storage.new_remote_file(file_name), hash=known)

    @classmethod
    def named_remote(cls, name: str) -> File[T]:
        """A file called ``name`` in a folder of the running task's own, the same for every attempt of it."""
        if os.sep in name or "/" in name:
            raise ValueError(f"File.named_remote: {name!r} must be a plain file name, without folders")
        task = TASK.get()
        if task is None:
            raise ValueError("File.named_remote() needs a running task (call it inside a task)")
        base = task.raw_data_path.path.rstrip("/")
        return cls(path=f"{base}/{task.action.name}/{name}")

    @classmethod
    def from_local_sync(
        cls, local_path: Union[str, Path], remote_destination: Optional[str] = None, hash_method: Any = None
    ) -> File[T]:
        """A local file, uploaded now to ``remote_destination`` if given, else when a task hands it on."""
        local = Path(local_path)
        if not local.is_file():
            raise ValueError(f"File.from_local: {local} is not a file")
        if remote_destination is None:
            return cls(path=str(local.absolute()), name=local.name)
        return cls(path=storage.upload(local, remote_destination), name=local.name)

    @classmethod
    async def from_local(
        cls, local_path: Union[str, Path], remote_destination: Optional[str] = None, hash_method: Any = None
    ) -> File[T]:
        return await storage.in_thread(cls.from_local_sync, local_path, remote_destination, hash_method)

    # Reading and writing.

    def exists_sync(self) -> bool:
        return storage.exists(self.path)

    async def exists(self) -> bool:
        return bool(await storage.in_thread(self.exists_sync))

    @contextlib.contextmanager
    def open_sync(self, mode: str = "rb", **kwargs: Any) -> Iterator[IO[Any]]:
        """The file, opened in ``mode``, where it is."""
        opened = storage.open_file(self.path, mode)
        try:
            yield opened
        finally:
            opened.close()

    @contextlib.asynccontextmanager
    async def open(self, mode: str = "rb", **kwargs: Any) -> AsyncIterator[storage.AsyncFile]:
        """The file, opened in ``mode``: ``await handle.read()``, ``await handle.write(data)``."""
        opened = await storage.in_thread(storage.open_file, self.path, mode)
        try:
            yield storage.AsyncFile(opened)
        finally:
            await storage.in_thread(opened.close)

    def download_sync(self, local_path: Optional[Union[str, Path]] = None) -> str:
        """A local copy of the file (the file itself if it is local and no other place is asked for)."""
        if not storage.is_remote(self.path) and (local_path is None or Path(local_path) == Path(self.path)):
            return self.path
        if local_path is not None and Path(local_path).is_dir():
            local_path = Path(local_path) / (self.name or Path(self.path).name)
        return storage.download(self.path, local_path)

    async def download(self, local_path: Optional[Union[str, Path]] = None) -> str:
        return str(await storage.in_thread(self.download_sync, local_path))


TypeEngine.register(BlobTransformer(File))
