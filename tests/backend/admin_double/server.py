"""The admin double: a loopback gRPC FlyteAdmin (plus a tiny HTTP endpoint for signed-URL uploads)."""

from __future__ import annotations

import http.server
import threading
import time
from concurrent import futures
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional

import grpc
from flyteidl.service import admin_pb2_grpc, dataproxy_pb2_grpc

from .calls import CallCounts
from .entities import EntityStore
from .executions import ExecutionInfo, ExecutionStore, snapshot
from .faults import Faults
from .runner import Runner, RunnerConfig
from .servicer import AdminServicer, DataProxyServicer
from .simulation import Simulation

LOOPBACK = "127.0.0.1"


def _upload_handler(root: Path):
    class UploadHandler(http.server.BaseHTTPRequestHandler):
        def do_PUT(self) -> None:  # noqa: N802 - http.server naming
            rel = Path(self.path.split("?", 1)[0].lstrip("/"))
            if ".." in rel.parts or not rel.parts:
                self.send_error(400, "bad upload path")
                return
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            length = int(self.headers.get("Content-Length") or 0)
            target.write_bytes(self.rfile.read(length))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format, *args) -> None:  # keep test output quiet
            pass

    return UploadHandler


class AdminDouble:
    """A FlyteAdmin test double on ``127.0.0.1:<free port>``.

    :param work_root: directory the double owns: execution work dirs, uploads, remote data.
    :param source_root: cwd and first PYTHONPATH entry of task subprocesses; the root the task modules'
        dotted names are relative to (for ``backend.fixtures_stock`` that is the ``tests`` directory).
    :param python_paths: further PYTHONPATH entries for the subprocesses.
    :param extra_env: environment variables set in every task subprocess.
    :param kill_grace_seconds: SIGTERM-to-SIGKILL delay when an execution is terminated.
    :param start_delay_seconds: how long new executions stay QUEUED before starting.
    :param failure_node_on_abort: also run a workflow's failure node when the execution is terminated.
    :param simulation: executions the double completes by itself after a delay, without a process (by default
        those launched by an eager parent): a test bed for eager parents with thousands of children.
    :param max_inline_bytes: ``GetExecutionData`` answers larger outputs with their location (``outputs.url``)
        instead of the outputs, as Admin does past its inline limit.
    """

    def __init__(
        self,
        work_root: Path,
        source_root: Optional[Path] = None,
        python_paths: Iterable[str] = (),
        extra_env: Optional[Dict[str, str]] = None,
        kill_grace_seconds: float = 5.0,
        start_delay_seconds: float = 0.0,
        failure_node_on_abort: bool = False,
        max_workers: int = 32,
        simulation: Optional[Simulation] = None,
        max_inline_bytes: int = 10 * 1024 * 1024,
    ):
        self.work_root = Path(work_root)
        self.work_root.mkdir(parents=True, exist_ok=True)
        self.entities = EntityStore()
        self.faults = Faults()  # ``double.faults.fail("ListExecutions", times=2)`` makes the next two calls fail
        self.calls = CallCounts()  # every AdminService and DataProxyService call, by RPC: ``double.calls.snapshot()``
        self.store = ExecutionStore()
        self._config = RunnerConfig(
            endpoint="",
            work_root=self.work_root,
            source_root=Path(source_root) if source_root else None,
            python_paths=list(python_paths),
            extra_env=dict(extra_env or {}),
            kill_grace_seconds=kill_grace_seconds,
            start_delay_seconds=start_delay_seconds,
            failure_node_on_abort=failure_node_on_abort,
            simulation=simulation,
        )
        self.runner = Runner(self._config, self.store)
        self._max_workers = max_workers
        self._max_inline_bytes = max_inline_bytes
        self._server: Optional[grpc.Server] = None
        self._http: Optional[http.server.ThreadingHTTPServer] = None
        self.port: Optional[int] = None

    # -- lifecycle -----------------------------------------------------------------------------------------
    def start(self) -> AdminDouble:
        self._http = http.server.ThreadingHTTPServer((LOOPBACK, 0), _upload_handler(self.work_root / "uploads"))
        threading.Thread(target=self._http.serve_forever, name="admin-double-uploads", daemon=True).start()

        server = grpc.server(futures.ThreadPoolExecutor(max_workers=self._max_workers, thread_name_prefix="admin"))
        self.port = server.add_insecure_port(f"{LOOPBACK}:0")
        if not self.port:
            raise RuntimeError("could not bind the admin double to 127.0.0.1")
        self._config.endpoint = self.endpoint
        servicer = AdminServicer(self.entities, self.store, self.runner, self.work_root)
        servicer.faults = self.faults
        servicer.calls = self.calls
        servicer.max_inline_bytes = self._max_inline_bytes
        admin_pb2_grpc.add_AdminServiceServicer_to_server(servicer, server)
        dataproxy = DataProxyServicer(self.store, self.work_root, lambda: self.upload_url)
        dataproxy.calls = self.calls
        dataproxy_pb2_grpc.add_DataProxyServiceServicer_to_server(dataproxy, server)
        server.start()
        self._server = server
        return self

    def stop(self) -> None:
        """Abort running executions (killing their subprocesses), then stop serving."""
        self.runner.shutdown()
        if self._server is not None:
            self._server.stop(grace=1).wait()
            self._server = None
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
            self._http = None

    def __enter__(self) -> AdminDouble:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- connection helpers --------------------------------------------------------------------------------
    @property
    def endpoint(self) -> str:
        if self.port is None:
            raise RuntimeError("the admin double is not started")
        return f"{LOOPBACK}:{self.port}"

    @property
    def upload_url(self) -> str:
        assert self._http is not None
        return f"http://{LOOPBACK}:{self._http.server_address[1]}"

    def config(self):
        from flytekit.configuration import Config, DataConfig, PlatformConfig

        return Config(platform=PlatformConfig(endpoint=self.endpoint, insecure=True), data_config=DataConfig())

    def remote(self, project: str = "flytesnacks", domain: str = "development"):
        """A FlyteRemote talking to this double; offloaded data goes to a local directory."""
        from flytekit.remote import FlyteRemote

        data = self.work_root / "remote-data"
        data.mkdir(parents=True, exist_ok=True)
        return FlyteRemote(
            config=self.config(), default_project=project, default_domain=domain, data_upload_location=str(data)
        )

    @staticmethod
    def serialization_settings(project: str, domain: str, version: str):
        from flytekit.configuration import ImageConfig, SerializationSettings

        # The double runs every task in a local process, so the image is only a name: one that has flytekit_ext,
        # as a cluster would need.
        image_config = ImageConfig.from_images("localhost/admin-double-tasks:latest")
        return SerializationSettings(image_config=image_config, project=project, domain=domain, version=version)

    # -- inspection ----------------------------------------------------------------------------------------
    @property
    def executions(self) -> List[ExecutionInfo]:
        """Snapshots of all executions, in creation order."""
        with self.store.lock:
            return [snapshot(r) for r in self.store.all()]

    def execution(self, name: str) -> ExecutionInfo:
        with self.store.lock:
            found = self.store.named(name)
            if found is None:
                raise KeyError(f"no execution named {name!r}")
            return snapshot(found)

    def logs(self, name: str) -> str:
        """The stdout and stderr of every node subprocess of an execution, for debugging failed tests."""
        parts = []
        for node in self.execution(name).nodes:
            for attempt, workdir in enumerate([node.workdir, *sorted(node.workdir.glob("attempt-*"))]):
                for stream in ("stdout", "stderr"):
                    path = workdir / f"{stream}.log"
                    text = path.read_text(errors="replace") if path.exists() else "<none>"
                    parts.append(f"--- {name}/{node.node_id} attempt {attempt} {stream} ---\n{text}")
        return "\n".join(parts)

    def wait_until(self, predicate: Callable[[], bool], timeout: float = 60.0, interval: float = 0.1) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError(f"condition not met within {timeout}s; executions: {self.executions}")
            time.sleep(interval)

    def wait(self, name: str, timeout: float = 60.0) -> ExecutionInfo:
        """Block until the named execution reaches a terminal phase; return its snapshot."""
        self.wait_until(lambda: self.execution(name).is_terminal, timeout)
        return self.execution(name)
