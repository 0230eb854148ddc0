"""Runs executions: every task node becomes one ``pyflyte-execute`` (the task's real container args) subprocess.

Mapping of one node to a subprocess (what propeller + the pod would do on a cluster):

* ``<work_root>/executions/<project>/<domain>/<execution>/<node_id>/`` is the node's directory;
  ``inputs.pb`` there holds the node's inputs, ``outputs/`` is ``{{.outputPrefix}}`` (pyflyte-execute writes
  ``outputs.pb`` or ``error.pb`` into it), ``raw/`` is ``{{.rawOutputDataPrefix}}``, ``checkpoint/`` is
  ``{{.checkpointOutputPrefix}}``; ``stdout.log`` / ``stderr.log`` capture the process output.
* The environment is the test process's, minus Flyte-internal variables, plus: the task container's env, the
  execution's envs, the ``FLYTE_INTERNAL_*`` variables propeller sets, ``FLYTE_PLATFORM_URL`` /
  ``FLYTE_PLATFORM_INSECURE`` pointing at this double (so a FlyteRemote built in the task reaches it), and
  ``PYTHONPATH`` starting with the configured source root (the cwd too) so the task module imports.
* Each process runs in its own session; terminating an execution sends SIGTERM to its process group and
  SIGKILL after ``kill_grace_seconds``.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

from flyteidl.core import errors_pb2, literals_pb2
from flyteidl.core import execution_pb2 as core_exec_pb2

from .executions import NODE, WF, ExecutionRecord, ExecutionStore, NodeRecord
from .plan import BindingError, Plan, PlannedNode, resolve_bindings
from .simulation import Simulation, Simulator

_TEMPLATE_VAR = re.compile(r"\{\{\s*\.(\w+)\s*\}\}")
_STRIPPED_ENV_PREFIXES = ("FLYTE_INTERNAL_", "_F_", "FLYTE_PLATFORM_", "FLYTE_ATTEMPT")
_STRIPPED_ENV = {"FLYTECTL_CONFIG", "_F_EE_ROOT"}


@dataclass
class RunnerConfig:
    endpoint: str
    work_root: Path
    source_root: Optional[Path] = None  # cwd of the subprocesses and first PYTHONPATH entry
    python_paths: List[str] = field(default_factory=list)  # further PYTHONPATH entries
    extra_env: Dict[str, str] = field(default_factory=dict)  # set in every subprocess (under the execution's envs)
    kill_grace_seconds: float = 5.0
    start_delay_seconds: float = 0.0  # time an execution stays QUEUED before it starts running
    # Run a workflow's failure node also when the execution is terminated while a node runs (after that node's
    # process is gone). Off by default: the double runs the failure node only when a node fails.
    failure_node_on_abort: bool = False
    # Executions the double completes by itself, without a process (see simulation.py); None: every one runs.
    simulation: Optional[Simulation] = None


def _system_error(message: str) -> core_exec_pb2.ExecutionError:
    return core_exec_pb2.ExecutionError(code="AdminDouble", message=message, kind=core_exec_pb2.ExecutionError.SYSTEM)


def _executable(name: str) -> str:
    """Resolve bare ``pyflyte-*`` names to the scripts next to this interpreter (the test venv)."""
    if os.sep in name:
        return name
    local = Path(sys.executable).parent / name
    if local.exists():
        return str(local)
    return shutil.which(name) or name


class Runner:
    def __init__(self, config: RunnerConfig, executions: ExecutionStore):
        self.config = config
        self.executions = executions
        self._lock = threading.Lock()
        self._procs: Dict[str, subprocess.Popen] = {}  # execution name -> running subprocess
        self._threads: List[threading.Thread] = []
        self._closing = False  # set by shutdown(): no new subprocess starts after it
        self._simulator = (
            Simulator(config.simulation, executions, config.start_delay_seconds) if config.simulation else None
        )

    # -- public --------------------------------------------------------------------------------------------
    def launch(self, rec: ExecutionRecord, plan: Plan) -> None:
        if self._simulator is not None and self._simulator.simulation.applies_to(rec):
            self._simulator.start(rec, plan.nodes[0].task_id if plan.nodes else None)
            return
        t = threading.Thread(target=self._run_guarded, args=(rec, plan), name=f"exec-{rec.name}", daemon=True)
        with self._lock:
            self._threads.append(t)
        t.start()

    def kill(self, rec: ExecutionRecord, grace: Optional[float] = None) -> None:
        """SIGTERM the execution's running process group, SIGKILL it after the grace period."""
        with self._lock:
            proc = self._procs.get(self._key(rec))
        if proc is None or proc.poll() is not None:
            return
        _signal_group(proc, signal.SIGTERM)
        grace = self.config.kill_grace_seconds if grace is None else grace

        def reap() -> None:
            try:
                proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                _signal_group(proc, signal.SIGKILL)
            # the task may have left children in its group (e.g. a shell): clean them up too
            _signal_group(proc, signal.SIGKILL)

        threading.Thread(target=reap, name=f"reap-{rec.name}", daemon=True).start()

    def shutdown(self, timeout: float = 10.0) -> None:
        """Abort every running execution, kill every subprocess at once, and wait for runner threads."""
        with self.executions.lock:
            self._closing = True
        for rec in self.executions.all():
            with self.executions.lock:
                if rec.is_terminal:
                    continue
                rec.abort_cause = "admin double shut down"
                rec.abort_requested.set()
                rec.set_phase(WF.ABORTED)
        if self._simulator is not None:
            self._simulator.shutdown()
        # includes failure nodes still running for executions that are already ABORTED
        for rec in self.executions.all():
            self.kill(rec, grace=0.5)
        deadline = time.monotonic() + timeout
        with self._lock:
            threads = list(self._threads)
        for t in threads:
            t.join(max(0.0, deadline - time.monotonic()))

    # -- execution -----------------------------------------------------------------------------------------
    @staticmethod
    def _key(rec: ExecutionRecord) -> str:
        return f"{rec.id.project}/{rec.id.domain}/{rec.id.name}"

    def _transition(self, rec: ExecutionRecord, phase: int, **fields) -> bool:
        """Set the execution's phase unless it was aborted meanwhile; returns whether it was set."""
        with self.executions.lock:
            if rec.abort_requested.is_set():
                return False
            for k, v in fields.items():
                setattr(rec, k, v)
            rec.set_phase(phase)
            return True

    def _run_guarded(self, rec: ExecutionRecord, plan: Plan) -> None:
        try:
            self._run(rec, plan)
        except Exception:  # a bug in the double: surface it on the execution rather than hang the test
            self._transition(rec, WF.FAILED, error=_system_error("admin double crashed:\n" + traceback.format_exc()))
        finally:
            rec.done.set()

    def _run(self, rec: ExecutionRecord, plan: Plan) -> None:
        if self.config.start_delay_seconds:
            if rec.abort_requested.wait(self.config.start_delay_seconds):
                return
        if not self._transition(rec, WF.RUNNING):
            return
        if plan.unsupported:
            self._transition(
                rec, WF.FAILED, error=_system_error(f"unsupported by the admin double: {plan.unsupported}")
            )
            return

        node_outputs: Dict[str, literals_pb2.LiteralMap] = {}
        failure: Optional[core_exec_pb2.ExecutionError] = None
        for pnode in plan.nodes:
            outcome = self._run_node(rec, plan, pnode, node_outputs, is_failure_node=False)
            if outcome is None:  # aborted
                if self.config.failure_node_on_abort and plan.failure_node is not None:
                    self._run_node(rec, plan, plan.failure_node, node_outputs, is_failure_node=True, after_abort=True)
                return
            if isinstance(outcome, core_exec_pb2.ExecutionError):
                failure = outcome
                break
            node_outputs[pnode.node_id] = outcome

        if failure is None:
            try:
                if plan.outputs is None:
                    outputs = node_outputs[plan.nodes[-1].node_id] if plan.nodes else literals_pb2.LiteralMap()
                else:
                    outputs = resolve_bindings(plan.outputs, rec.inputs, node_outputs)
            except BindingError as e:
                failure = _system_error(f"cannot resolve workflow outputs: {e}")
            else:
                rec.workdir.mkdir(parents=True, exist_ok=True)
                (rec.workdir / "outputs.pb").write_bytes(outputs.SerializeToString())
                self._transition(rec, WF.SUCCEEDED, outputs=outputs)
                return

        if plan.failure_node is not None:
            if not self._transition(rec, WF.FAILING, error=failure):
                return
            if self._run_node(rec, plan, plan.failure_node, node_outputs, is_failure_node=True) is None:
                return
        self._transition(rec, WF.FAILED, error=failure)

    def _run_node(self, rec, plan: Plan, pnode: PlannedNode, node_outputs, is_failure_node: bool, after_abort=False):
        """Run one task node; returns its outputs, an ExecutionError, or None if the execution was aborted.

        ``after_abort`` runs the node although the execution was terminated (see ``failure_node_on_abort``).
        """
        node = NodeRecord(
            node_id=pnode.node_id,
            task_id=pnode.task_id,
            workdir=rec.workdir / pnode.node_id,
            is_failure_node=is_failure_node,
        )
        with self.executions.lock:
            if rec.abort_requested.is_set() and not after_abort:
                return None
            rec.nodes[node.node_id] = node
        try:
            node.inputs = (
                rec.inputs if pnode.bindings is None else resolve_bindings(pnode.bindings, rec.inputs, node_outputs)
            )
        except BindingError as e:
            node.error = _system_error(f"node {pnode.node_id}: {e}")
            node.set_phase(NODE.FAILED)
            return node.error
        return self._run_container(rec, plan, pnode, node, after_abort)

    def _run_container(self, rec: ExecutionRecord, plan: Plan, pnode: PlannedNode, node: NodeRecord, after_abort):
        container = pnode.template.container
        if not pnode.template.HasField("container") or not (container.command or container.args):
            node.error = _system_error(
                f"task {pnode.task_id.name} (type {pnode.template.type!r}) has no container to run; "
                "the admin double runs container tasks only"
            )
            node.set_phase(NODE.FAILED)
            return node.error

        # As propeller: a failure the error document calls RECOVERABLE is retried while the task's retries last,
        # each attempt in a directory of its own, handed the checkpoint of the attempt before it.
        retries = pnode.template.metadata.retries.retries
        previous_checkpoint = '""'
        attempt = 0
        while True:
            result = self._run_attempt(rec, plan, pnode, node, after_abort, attempt, previous_checkpoint)
            if not isinstance(result, core_exec_pb2.ExecutionError) or not node.recoverable:
                return result
            if attempt >= retries:
                node.error = core_exec_pb2.ExecutionError(
                    code=f"RetriesExhausted|{result.code}",
                    message=f"[{attempt + 1}/{retries + 1}] currentAttempt done. Last Error: "
                    f"{core_exec_pb2.ExecutionError.ErrorKind.Name(result.kind)}::{result.message}",
                    kind=core_exec_pb2.ExecutionError.USER,
                    error_uri=result.error_uri,
                )
                return node.error
            previous_checkpoint = str(_attempt_dir(node, attempt) / "checkpoint")
            attempt += 1
            with self.executions.lock:
                node.set_phase(NODE.QUEUED)

    def _run_attempt(
        self, rec: ExecutionRecord, plan: Plan, pnode: PlannedNode, node: NodeRecord, after_abort, attempt: int,
        previous_checkpoint: str,
    ):  # fmt: skip
        container = pnode.template.container
        workdir = _attempt_dir(node, attempt)
        node.attempts = attempt + 1
        out_dir, raw_dir, ckpt_dir = workdir / "outputs", workdir / "raw", workdir / "checkpoint"
        for d in (out_dir, raw_dir, ckpt_dir):
            d.mkdir(parents=True, exist_ok=True)
        raw_prefix = rec.spec.raw_output_data_config.output_location_prefix
        raw = os.path.join(raw_prefix, rec.name, node.node_id) if raw_prefix else str(raw_dir)
        if raw_prefix and attempt:
            raw = os.path.join(raw, str(attempt))
        inputs_path = workdir / "inputs.pb"
        inputs_path.write_bytes(node.inputs.SerializeToString())

        values = {
            "input": str(inputs_path),
            "inputprefix": str(workdir),
            "outputprefix": str(out_dir),
            "rawoutputdataprefix": raw,
            "checkpointoutputprefix": str(ckpt_dir),
            "prevcheckpointprefix": previous_checkpoint,
        }

        def substitute(arg: str) -> str:
            return _TEMPLATE_VAR.sub(lambda m: values.get(m.group(1).lower(), m.group(0)), arg)

        cmd = [substitute(a) for a in list(container.command) + list(container.args)]
        cmd[0] = _executable(cmd[0])
        node.command = cmd
        fast = _is_fast(pnode)
        env = self._environment(rec, plan, pnode, fast)
        env["FLYTE_ATTEMPT_NUMBER"] = str(attempt)
        # A fast-registered task unpacks its code bundle into its cwd (as in a pod): the attempt's own directory,
        # not the source root, which is then not on the PYTHONPATH either, so the task runs the bundle's code.
        cwd = str(workdir) if fast or not self.config.source_root else str(self.config.source_root)

        with self.executions.lock:
            if self._closing or (rec.abort_requested.is_set() and not after_abort):
                return None
            with open(workdir / "stdout.log", "wb") as out, open(workdir / "stderr.log", "wb") as err:
                proc = subprocess.Popen(
                    cmd, cwd=cwd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL, start_new_session=True
                )
            with self._lock:
                self._procs[self._key(rec)] = proc
            node.pid = proc.pid
            node.set_phase(NODE.RUNNING)

        returncode = proc.wait()
        with self._lock:
            self._procs.pop(self._key(rec), None)

        result = self._read_result(node, workdir, out_dir, returncode)
        with self.executions.lock:
            if node.phase == NODE.ABORTED or (rec.abort_requested.is_set() and not after_abort):
                node.set_phase(NODE.ABORTED)
                return None
            node.set_phase(NODE.FAILED if isinstance(result, core_exec_pb2.ExecutionError) else NODE.SUCCEEDED)
        return result

    def _read_result(self, node: NodeRecord, workdir: Path, out_dir: Path, returncode: int):
        node.recoverable = False
        error_files = sorted(out_dir.glob("error*.pb"))
        if error_files:
            doc = errors_pb2.ErrorDocument()
            doc.ParseFromString(error_files[0].read_bytes())
            node.error = core_exec_pb2.ExecutionError(
                code=doc.error.code, message=doc.error.message, kind=doc.error.origin, error_uri=str(error_files[0])
            )
            # Propeller retries a RECOVERABLE user error while the task's retries last (system errors have a
            # budget of their own on a cluster, which the double does not model: it does not retry them).
            node.recoverable = (
                doc.error.kind == errors_pb2.ContainerError.RECOVERABLE
                and doc.error.origin == core_exec_pb2.ExecutionError.USER
            )
            return node.error
        if (out_dir / "futures.pb").exists():
            node.error = _system_error(f"node {node.node_id} returned a dynamic workflow, which the double cannot run")
            return node.error
        if returncode != 0 or not (out_dir / "outputs.pb").exists():
            tail = (workdir / "stderr.log").read_text(errors="replace")[-4000:]
            node.error = core_exec_pb2.ExecutionError(
                code=f"ExitCode{returncode}",
                message=f"pyflyte-execute exited with code {returncode} and wrote no error.pb; stderr tail:\n{tail}",
                kind=core_exec_pb2.ExecutionError.SYSTEM,
            )
            return node.error
        outputs = literals_pb2.LiteralMap()
        outputs.ParseFromString((out_dir / "outputs.pb").read_bytes())
        node.outputs = outputs
        return outputs

    def _environment(self, rec: ExecutionRecord, plan: Plan, pnode: PlannedNode, fast: bool = False) -> Dict[str, str]:
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(_STRIPPED_ENV_PREFIXES) and k not in _STRIPPED_ENV
        }
        env.update(self.config.extra_env)
        env.update({kv.key: kv.value for kv in pnode.template.container.env})
        env.update(rec.envs)
        ex, tk = rec.id, pnode.task_id
        env.update(
            {
                "FLYTE_INTERNAL_EXECUTION_ID": ex.name,
                "FLYTE_INTERNAL_EXECUTION_PROJECT": ex.project,
                "FLYTE_INTERNAL_EXECUTION_DOMAIN": ex.domain,
                "FLYTE_INTERNAL_EXECUTION_WORKFLOW": f"{ex.project}:{ex.domain}:{plan.workflow_name}",
                "FLYTE_INTERNAL_EXECUTION_LAUNCHPLAN": plan.launch_plan_name,
                "FLYTE_INTERNAL_TASK_PROJECT": tk.project,
                "FLYTE_INTERNAL_TASK_DOMAIN": tk.domain,
                "FLYTE_INTERNAL_TASK_NAME": tk.name,
                "FLYTE_INTERNAL_TASK_VERSION": tk.version,
                "FLYTE_INTERNAL_PROJECT": tk.project,
                "FLYTE_INTERNAL_DOMAIN": tk.domain,
                "FLYTE_INTERNAL_NAME": tk.name,
                "FLYTE_INTERNAL_VERSION": tk.version,
                "FLYTE_INTERNAL_NODE_ID": pnode.node_id,
                "FLYTE_PLATFORM_URL": self.config.endpoint,
                "FLYTE_PLATFORM_INSECURE": "True",
                "PYTHONUNBUFFERED": "1",
            }
        )
        # As in an image: the console scripts (pyflyte-fast-execute runs a bare pyflyte-execute) are on the PATH.
        env["PATH"] = os.pathsep.join(filter(None, [os.path.dirname(sys.executable), env.get("PATH")]))
        source = [str(self.config.source_root)] if self.config.source_root and not fast else []
        paths = source + list(self.config.python_paths)
        if env.get("PYTHONPATH"):
            paths.append(env["PYTHONPATH"])
        if paths:
            env["PYTHONPATH"] = os.pathsep.join(paths)
        return env


def _is_fast(pnode: PlannedNode) -> bool:
    """Whether the task was fast-registered: its container runs ``pyflyte-fast-execute`` with a code bundle."""
    container = pnode.template.container
    return os.path.basename((list(container.command) + list(container.args))[0]) == "pyflyte-fast-execute"


def _attempt_dir(node: NodeRecord, attempt: int) -> Path:
    """The node's directory for one attempt: the node's own for the first, ``attempt-<n>/`` in it after that."""
    return node.workdir if attempt == 0 else node.workdir / f"attempt-{attempt}"


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
