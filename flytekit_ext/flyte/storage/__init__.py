"""``flyte.storage``: where data is kept (``S3``, ``GCS``, ``ABFS`` settings) and reading and writing it.

The settings given to ``flyte.init(storage=...)`` become flytekit's data settings for runs on a cluster
(:meth:`Storage.data_config`). The functions read and write any path fsspec reaches, through flytekit's data
persistence: locally a folder on this machine, in a pod the execution's bucket.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from typing import IO, Any, AsyncIterator, Optional

from flytekit.configuration import AzureBlobStorageConfig, DataConfig, GCSConfig, S3Config

from flytekit_ext.flyte.io import _storage as store


@dataclass
class Storage:
    """Settings of a blob store (see ``S3``, ``GCS``, ``ABFS``)."""

    retries: int = 3
    backoff: Any = None
    enable_debug: bool = False
    attach_execution_metadata: bool = True

    @classmethod
    def auto(cls) -> Storage:
        return cls()

    def data_config(self) -> DataConfig:
        return DataConfig()


@dataclass
class S3(Storage):
    endpoint: Optional[str] = None
    access_key_id: Optional[str] = None
    secret_access_key: Optional[str] = None
    region: Optional[str] = None
    addressing_style: Optional[str] = None

    @classmethod
    def auto(cls, region: Optional[str] = None) -> S3:
        """From Flyte 2's environment variables (``FLYTE_AWS_ENDPOINT``, ``FLYTE_AWS_ACCESS_KEY_ID``, ...)."""
        return cls(
            endpoint=os.getenv("FLYTE_AWS_ENDPOINT"),
            access_key_id=os.getenv("FLYTE_AWS_ACCESS_KEY_ID"),
            secret_access_key=os.getenv("FLYTE_AWS_SECRET_ACCESS_KEY"),
            region=region,
            addressing_style=os.getenv("FLYTE_AWS_S3_ADDRESSING_STYLE"),
        )

    @classmethod
    def for_sandbox(cls) -> S3:
        return cls(endpoint="http://localhost:4566", access_key_id="minio", secret_access_key="miniostorage")

    def data_config(self) -> DataConfig:
        return DataConfig(
            s3=S3Config(
                endpoint=self.endpoint, access_key_id=self.access_key_id, secret_access_key=self.secret_access_key
            )
        )


@dataclass
class GCS(Storage):
    gsutil_parallelism: bool = False

    def data_config(self) -> DataConfig:
        return DataConfig(gcs=GCSConfig(gsutil_parallelism=self.gsutil_parallelism))


@dataclass
class ABFS(Storage):
    account_name: Optional[str] = None
    account_key: Optional[str] = None
    tenant_id: Optional[str] = None
    client_id: Optional[str] = None
    client_secret: Optional[str] = None

    def data_config(self) -> DataConfig:
        return DataConfig(
            azure=AzureBlobStorageConfig(
                account_name=self.account_name,
                account_key=self.account_key,
                tenant_id=self.tenant_id,
                client_id=self.client_id,
                client_secret=self.client_secret,
            )
        )


def is_remote(path: str) -> bool:
    return store.is_remote(path)


def join(*paths: str) -> str:
    return "/".join(part.strip("/") if index else part.rstrip("/") for index, part in enumerate(paths))


def get_underlying_filesystem(protocol: Optional[str] = None, path: Optional[str] = None, **kwargs: Any) -> Any:
    return store.filesystem(path or (f"{protocol}://" if protocol else ""))


def get_random_local_path(file_path_or_file_name: Optional[str] = None) -> str:
    return store.file_access().get_random_local_path(file_path_or_file_name)


def get_random_local_directory() -> str:
    return store.file_access().get_random_local_directory()


def exists_sync(path: str, **kwargs: Any) -> bool:
    return store.exists(path)


async def exists(path: str, **kwargs: Any) -> bool:
    return await asyncio.to_thread(exists_sync, path)


async def get(from_path: str, to_path: Optional[str] = None, recursive: bool = False, **kwargs: Any) -> str:
    """A local copy of ``from_path`` (a file, or a folder with ``recursive``)."""
    return str(await asyncio.to_thread(store.download, from_path, to_path, recursive))


async def put(from_path: str, to_path: Optional[str] = None, recursive: bool = False, **kwargs: Any) -> str:
    """Copy a local file (or folder, with ``recursive``) to ``to_path`` (default: under the raw data prefix)."""
    return str(await asyncio.to_thread(store.upload, from_path, to_path, recursive))


def open(path: str, mode: str = "rb", **kwargs: Any) -> IO[Any]:  # noqa: A001 (Flyte 2's name)
    return store.open_file(path, mode)


async def get_stream(path: str, chunk_size: int = 10 * 2**20, **kwargs: Any) -> AsyncIterator[bytes]:
    with store.open_file(path, "rb") as handle:
        while True:
            chunk = await asyncio.to_thread(handle.read, chunk_size)
            if not chunk:
                return
            yield chunk


async def put_stream(
    data_iterable: Any, *, name: Optional[str] = None, to_path: Optional[str] = None, **kwargs: Any
) -> str:
    """Write bytes (or an async iterable of them) to ``to_path`` (default: a new file under the raw data prefix)."""
    target = to_path or store.new_remote_file(name)
    with store.open_file(target, "wb") as handle:
        if isinstance(data_iterable, (bytes, bytearray)):
            await asyncio.to_thread(handle.write, data_iterable)
        else:
            async for chunk in data_iterable:
                await asyncio.to_thread(handle.write, chunk)
    return target


def get_configured_fsspec_kwargs(protocol: Optional[str] = None, anonymous: bool = False) -> dict:
    return {}


__all__ = [
    "ABFS",
    "GCS",
    "S3",
    "Storage",
    "exists",
    "exists_sync",
    "get",
    "get_configured_fsspec_kwargs",
    "get_random_local_directory",
    "get_random_local_path",
    "get_stream",
    "get_underlying_filesystem",
    "is_remote",
    "join",
    "open",
    "put",
    "put_stream",
]
