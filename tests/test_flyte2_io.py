"""``flyte.io``: File, Dir and DataFrame, their sync and async methods, and their Flyte 1 literals."""

from __future__ import annotations

from pathlib import Path

import flytekit
from flytekit.core.context_manager import FlyteContextManager
from flytekit.core.type_engine import TypeEngine
from flytekit.models.core.types import BlobType
from flytekit.types.file import FlyteFile

import flytekit_ext.flyte as flyte
from flytekit_ext.flyte.io import DataFrame, Dir, File
from tests.flyte2 import files


def test_files_written_async_and_sync_are_read_back_in_the_run():
    run = flyte.with_runcontext(name="files-run").run(files.round_trip, text="hello")
    assert run.outputs()[0] == ["hello", "HELLO", "True", "note.txt"]


def test_a_new_remote_file_of_a_local_run_is_under_flyte_2s_local_raw_data_folder():
    written = flyte.with_runcontext(name="where-run").run(files.write, text="x").outputs()[0]
    assert written.path.startswith("/tmp/flyte/raw_data/where-run/") and written.name == "note.txt"


def test_a_file_is_a_single_blob_literal_that_a_flytekit_file_input_reads():
    ctx = FlyteContextManager.current_context()
    assert TypeEngine.to_literal_type(File).blob.dimensionality == BlobType.BlobDimensionality.SINGLE
    made = files.local_file(text="shared")
    literal = TypeEngine.to_literal(ctx, made, File, TypeEngine.to_literal_type(File))
    assert literal.scalar.blob.uri == made.path
    assert files.plain_flytekit_reads(file=FlyteFile(made.path)) == "shared"
    # And the other way: a blob literal written by flytekit comes back as a File.
    back = TypeEngine.to_python_value(ctx, literal, File)
    assert isinstance(back, File) and Path(back.download_sync()).read_text() == "shared"


def test_a_file_in_a_dataclass_travels_with_it():
    bundled = flyte.run(files.bundle, text="inside").outputs()[0]
    assert flyte.run(files.unbundle, bundle=bundled).outputs()[0] == "b:made.txt:inside"


def test_a_folder_is_listed_walked_and_read_by_name():
    made = flyte.run(files.folder, names=["a.txt", "b.txt", "sub/c.txt"]).outputs()[0]
    assert isinstance(made, Dir)
    assert TypeEngine.to_literal_type(Dir).blob.dimensionality == BlobType.BlobDimensionality.MULTIPART
    listed = flyte.run(files.list_folder, d=made).outputs()[0]
    assert listed == ["a.txt", "b.txt", "c.txt", "A.TXT", "None"]


def test_a_table_is_a_structured_dataset_read_as_pandas_or_through_all():
    made = flyte.run(files.table, n=4).outputs()[0]
    assert isinstance(made, DataFrame) and isinstance(made, flytekit.StructuredDataset)
    assert made.format == "csv" and made.uri.startswith("/tmp/flyte/raw_data/")
    assert flyte.run(files.total, frame=made).outputs()[0] == 14
    assert flyte.run(files.total_of, frame=made).outputs()[0] == 14
    assert made.all_sync()["x"].tolist() == [0, 1, 2, 3]


def test_a_local_file_or_folder_is_uploaded_when_the_store_is_remote(tmp_path):
    # In a pod the raw data store is a bucket: a local file a task hands on is copied there. fsspec's in-memory
    # store stands in for the bucket here.
    import fsspec
    from flytekit.core.data_persistence import FileAccessProvider

    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "a.txt").write_text("up")
    ctx = FlyteContextManager.current_context()
    access = FileAccessProvider(local_sandbox_dir=str(tmp_path / "sandbox"), raw_output_prefix="memory://store")
    with FlyteContextManager.with_context(ctx.with_file_access(access)) as remote_ctx:
        file = TypeEngine.to_literal(remote_ctx, File(path=str(tmp_path / "out" / "a.txt")), File, None)
        folder = TypeEngine.to_literal(remote_ctx, Dir(path=str(tmp_path / "out")), Dir, None)
    memory = fsspec.filesystem("memory")
    assert file.scalar.blob.uri.startswith("memory://store/") and memory.cat(file.scalar.blob.uri) == b"up"
    assert folder.scalar.blob.uri.startswith("memory://store/")
    assert memory.cat(folder.scalar.blob.uri.rstrip("/") + "/a.txt") == b"up"


def test_flyte_storage_puts_gets_and_checks_paths(tmp_path):
    import asyncio

    import flytekit_ext.flyte.storage as storage

    local = tmp_path / "a.txt"
    local.write_text("stored")

    async def round_trip() -> tuple:
        remote = await storage.put(str(local))
        copy = await storage.get(remote, str(tmp_path / "copy.txt"))
        return remote, copy, await storage.exists(remote), storage.exists_sync(str(tmp_path / "missing"))

    remote, copy, exists, missing = asyncio.run(round_trip())
    assert remote != str(local) and Path(copy).read_text() == "stored" and exists and not missing
    assert storage.S3.auto(region="us-east-2").data_config().s3 is not None
