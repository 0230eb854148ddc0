"""``flyte.io.Dir``: a folder a task takes or returns, on Flyte 1 a multipart-blob literal (as ``FlyteDirectory``).

As a :class:`~flytekit_ext.flyte.io.File`: a ``path``, local or remote, uploaded when a task hands a local
folder on, read where it is. ``walk``/``list_files`` give its files as ``File``s, ``get_file(name)`` one of
them, ``download`` a local copy; each with its ``_sync`` form.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import AsyncIterator, Generic, Iterator, List, Optional, TypeVar, Union

from flytekit.core.type_engine import TypeEngine
from flytekit.models.core.types import BlobType

from flytekit_ext.flyte.io import _storage as storage
from flytekit_ext.flyte.io._blob import BlobTransformer, StoredBlob
from flytekit_ext.flyte.io._file import File

T = TypeVar("T")


@dataclass
class Dir(StoredBlob, Generic[T]):
    """A folder: ``path`` (local or remote), ``name``, ``format``, ``hash``; see the module's description."""

    KIND = "folder"
    DIMENSIONALITY = BlobType.BlobDimensionality.MULTIPART

    path: str
    name: Optional[str] = None
    format: str = ""
    hash: Optional[str] = None

    def __post_init__(self) -> None:
        self.path = str(self.path)
        if self.name is None:
            self.name = Path(self.path.rstrip("/")).name

    def __str__(self) -> str:
        return f"path={self.path!r} name={self.name!r} format={self.format!r} hash={self.hash!r}"

    @classmethod
    def from_existing_remote(cls, remote_path: str, dir_cache_key: Optional[str] = None) -> Dir[T]:
        return cls(path=remote_path, hash=dir_cache_key)

    @classmethod
    def from_local_sync(
        cls, local_path: Union[str, Path], remote_destination: Optional[str] = None, dir_cache_key: Optional[str] = None
    ) -> Dir[T]:
        """A local folder, uploaded now to ``remote_destination`` if given, else when a task hands it on."""
        local = Path(local_path)
        if not local.is_dir():
            raise ValueError(f"Dir.from_local: {local} is not a folder")
        if remote_destination is None:
            return cls(path=str(local.absolute()), hash=dir_cache_key)
        return cls(path=storage.upload(local, remote_destination, folder=True), name=local.name, hash=dir_cache_key)

    @classmethod
    async def from_local(
        cls, local_path: Union[str, Path], remote_destination: Optional[str] = None, dir_cache_key: Optional[str] = None
    ) -> Dir[T]:
        return await storage.in_thread(cls.from_local_sync, local_path, remote_destination, dir_cache_key)

    def _files(self, max_depth: Optional[int]) -> List[File[T]]:
        """Its files, folder by folder in the order the store lists them (as Flyte 2 walks a folder)."""
        fs = storage.filesystem(self.path)
        local = not storage.is_remote(self.path)
        found: List[File[T]] = []
        for parent, _, files in fs.walk(self.path, maxdepth=max_depth):
            for name in files:
                found.append(
                    File[T](path=os.path.join(parent, name) if local else fs.unstrip_protocol(f"{parent}/{name}"))
                )
        return found

    def walk_sync(
        self, recursive: bool = True, file_pattern: str = "*", max_depth: Optional[int] = None
    ) -> Iterator[File[T]]:
        """Its files, folder by folder (Flyte 2's ``walk_sync`` takes ``recursive`` and ``file_pattern`` and walks
        every folder whatever they say; so does this one)."""
        yield from self._files(max_depth)

    async def walk(self, recursive: bool = True, max_depth: Optional[int] = None) -> AsyncIterator[File[T]]:
        """Its files, folder by folder; ``recursive=False`` walks the top level and one level below it, as
        Flyte 2's does."""
        for file in await storage.in_thread(self._files, max_depth if recursive else 2):
            yield file

    def list_files_sync(self) -> List[File[T]]:
        """What ``walk_sync`` gives (all its files, as Flyte 2's)."""
        return self._files(None)

    async def list_files(self) -> List[File[T]]:
        """What ``walk(recursive=False)`` gives."""
        return list(await storage.in_thread(self._files, 2))

    def get_file_sync(self, file_name: str) -> Optional[File[T]]:
        """Its file ``file_name`` (at the top level), or None."""
        path = f"{self.path.rstrip('/')}/{file_name}"
        return File[T](path=path) if storage.exists(path) else None

    async def get_file(self, file_name: str) -> Optional[File[T]]:
        found: Optional[File[T]] = await storage.in_thread(self.get_file_sync, file_name)
        return found

    def exists_sync(self) -> bool:
        return storage.exists(self.path)

    async def exists(self) -> bool:
        return bool(await storage.in_thread(self.exists_sync))

    def download_sync(self, local_path: Optional[Union[str, Path]] = None) -> str:
        """A local copy of the folder (the folder itself if it is local and no other place is asked for)."""
        if not storage.is_remote(self.path) and (local_path is None or Path(local_path) == Path(self.path)):
            return self.path
        return storage.download(self.path, local_path, folder=True)

    async def download(self, local_path: Optional[Union[str, Path]] = None) -> str:
        return str(await storage.in_thread(self.download_sync, local_path))


TypeEngine.register(BlobTransformer(Dir))
