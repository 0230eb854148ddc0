"""gRPC servicers: FlyteAdmin's AdminService and DataProxyService, backed by the stores and the runner.

Every handler is wrapped so that an :class:`AdminError` becomes its gRPC status and any other exception
becomes INTERNAL. (An unhandled exception would surface as UNKNOWN, which flytekit's auth interceptor
treats as an authentication failure and tries to log in.) RPCs not defined here answer UNIMPLEMENTED.
"""

from __future__ import annotations

import functools
import hashlib
import re
import time
import traceback
from pathlib import Path

import grpc
from flyteidl.admin import (
    common_pb2,
    execution_pb2,
    launch_plan_pb2,
    node_execution_pb2,
    project_pb2,
    task_execution_pb2,
    task_pb2,
    version_pb2,
    workflow_pb2,
)
from flyteidl.core import identifier_pb2
from flyteidl.service import admin_pb2_grpc, dataproxy_pb2, dataproxy_pb2_grpc

from .entities import EntityStore
from .errors import AdminError, failed_precondition, invalid_argument, not_found
from .executions import NODE, WF, ExecutionRecord, ExecutionStore
from .plan import build_plan, merged_inputs
from .runner import Runner

DOMAINS = ("development", "staging", "production")


def _handled(method):
    @functools.wraps(method)
    def wrapper(self, request, context):
        calls = getattr(self, "calls", None)
        if calls is not None:
            calls.count(method.__name__)
        faults = getattr(self, "faults", None)
        injected = faults.take(method.__name__) if faults is not None else None
        if injected is not None and not injected[1]:
            context.abort(injected[0], f"admin double: injected failure of {method.__name__}")
        held = faults.take_delay(method.__name__) if faults is not None else 0.0
        if held:
            time.sleep(held)
        try:
            response = method(self, request, context)
        except AdminError as e:
            context.abort(e.code, e.message)
        except Exception:  # noqa: BLE001 - reported to the client as INTERNAL
            context.abort(grpc.StatusCode.INTERNAL, "admin double error:\n" + traceback.format_exc())
        if injected is not None:  # the call took effect; its caller is told it failed
            context.abort(injected[0], f"admin double: injected failure of {method.__name__} (after running it)")
        return response

    return wrapper


def _handle_all(cls):
    for name, value in list(vars(cls).items()):
        if name[:1].isupper() and callable(value):
            setattr(cls, name, _handled(value))
    return cls


#: flyteadmin's rule for a given execution name (execution_validator.go): lower-cased, a letter, then letters,
#: digits and '-', at most 63 characters (a Kubernetes label value).
_EXECUTION_NAME = re.compile(r"[a-z][a-z\-0-9]*")
_EXECUTION_NAME_LENGTH = 63


def check_execution_name(name: str) -> None:
    if name and (len(name) > _EXECUTION_NAME_LENGTH or not _EXECUTION_NAME.fullmatch(name.lower())):
        raise invalid_argument(f"invalid name format: {name}")


@_handle_all
class AdminServicer(admin_pb2_grpc.AdminServiceServicer):
    def __init__(self, entities: EntityStore, executions: ExecutionStore, runner: Runner, work_root: Path):
        self.entities = entities
        self.executions = executions
        self.runner = runner
        self.work_root = work_root
        self.projects = {}
        self.max_inline_bytes = 10 * 1024 * 1024  # outputs larger than this are answered by their location

    # -- tasks ---------------------------------------------------------------------------------------------
    def CreateTask(self, request, context):
        self.entities.create_task(request)
        return task_pb2.TaskCreateResponse()

    def GetTask(self, request, context):
        return self.entities.get_task(request.id)

    def ListTasks(self, request, context):
        tasks, token = self.entities.tasks.list(request)
        return task_pb2.TaskList(tasks=tasks, token=token)

    def ListTaskIds(self, request, context):
        return common_pb2.NamedEntityIdentifierList(
            entities=self.entities.tasks.named_ids(request.project, request.domain)
        )

    # -- workflows -----------------------------------------------------------------------------------------
    def CreateWorkflow(self, request, context):
        self.entities.create_workflow(request)
        return workflow_pb2.WorkflowCreateResponse()

    def GetWorkflow(self, request, context):
        return self.entities.get_workflow(request.id)

    def ListWorkflows(self, request, context):
        wfs, token = self.entities.workflows.list(request)
        return workflow_pb2.WorkflowList(workflows=wfs, token=token)

    def ListWorkflowIds(self, request, context):
        return common_pb2.NamedEntityIdentifierList(
            entities=self.entities.workflows.named_ids(request.project, request.domain)
        )

    # -- launch plans --------------------------------------------------------------------------------------
    def CreateLaunchPlan(self, request, context):
        self.entities.create_launch_plan(request)
        return launch_plan_pb2.LaunchPlanCreateResponse()

    def GetLaunchPlan(self, request, context):
        return self.entities.get_launch_plan(request.id)

    def ListLaunchPlans(self, request, context):
        lps, token = self.entities.launch_plans.list(request)
        return launch_plan_pb2.LaunchPlanList(launch_plans=lps, token=token)

    def ListLaunchPlanIds(self, request, context):
        return common_pb2.NamedEntityIdentifierList(
            entities=self.entities.launch_plans.named_ids(request.project, request.domain)
        )

    def UpdateLaunchPlan(self, request, context):
        self.entities.update_launch_plan(request.id, request.state)
        return launch_plan_pb2.LaunchPlanUpdateResponse()

    def GetActiveLaunchPlan(self, request, context):
        return self.entities.get_active_launch_plan(request.id)

    def ListActiveLaunchPlans(self, request, context):
        return launch_plan_pb2.LaunchPlanList(
            launch_plans=self.entities.list_active_launch_plans(request.project, request.domain)
        )

    # -- executions ----------------------------------------------------------------------------------------
    def CreateExecution(self, request, context):
        if not request.project or not request.domain:
            raise invalid_argument("an execution needs a project and a domain")
        check_execution_name(request.name)
        spec = execution_pb2.ExecutionSpec()
        spec.CopyFrom(request.spec)
        given = request.inputs if request.inputs.literals else spec.inputs
        plan = build_plan(self.entities, spec)
        inputs = merged_inputs(self.entities, spec, given)
        with self.executions.lock:
            name = request.name or self.executions.new_name()
            ident = identifier_pb2.WorkflowExecutionIdentifier(
                project=request.project, domain=request.domain, name=name
            )
            if self.executions.exists(ident):
                # Admin answers AlreadyExists; FlyteRemote.execute then assumes it is the same execution.
                raise AdminError(grpc.StatusCode.ALREADY_EXISTS, f"execution {name} already exists")
            rec = ExecutionRecord(
                id=ident,
                spec=spec,
                inputs=inputs,
                workdir=self.work_root / "executions" / request.project / request.domain / name,
                workflow_id=plan.workflow_id,
            )
            self.executions.add(rec)
            self.projects.setdefault(request.project, None)
        self.runner.launch(rec, plan)
        return execution_pb2.ExecutionCreateResponse(id=ident)

    def GetExecution(self, request, context):
        rec = self.executions.get(request.id)
        with self.executions.lock:
            return rec.to_pb()

    def ListExecutions(self, request, context):
        recs, token = self.executions.list(request)
        with self.executions.lock:
            return execution_pb2.ExecutionList(executions=[r.to_pb() for r in recs], token=token)

    def TerminateExecution(self, request, context):
        rec = self.executions.get(request.id)
        with self.executions.lock:
            if rec.is_terminal:
                raise failed_precondition(
                    f"Cannot abort an already terminated workflow execution {rec.name} ({WF.Name(rec.phase)})"
                )
            rec.abort_cause = request.cause
            rec.abort_requested.set()
            rec.set_phase(WF.ABORTED)
            for node in rec.nodes.values():
                if node.phase in (NODE.QUEUED, NODE.RUNNING):
                    node.set_phase(NODE.ABORTED)
        self.runner.kill(rec)
        return execution_pb2.ExecutionTerminateResponse()

    def GetExecutionData(self, request, context):
        rec = self.executions.get(request.id)
        with self.executions.lock:
            resp = execution_pb2.WorkflowExecutionGetDataResponse(full_inputs=rec.inputs)
            if rec.phase == WF.SUCCEEDED and rec.outputs is not None:
                size = rec.outputs.ByteSize()
                offloaded = rec.workdir / "outputs.pb"
                if size > self.max_inline_bytes and offloaded.exists():
                    # As Admin does past its inline limit: where the outputs are, not the outputs.
                    resp.outputs.CopyFrom(common_pb2.UrlBlob(url=str(offloaded), bytes=size))
                else:
                    resp.full_outputs.CopyFrom(rec.outputs)
            return resp

    def UpdateExecution(self, request, context):
        self.executions.get(request.id)
        return execution_pb2.ExecutionUpdateResponse()

    # -- node and task executions --------------------------------------------------------------------------
    def _node(self, node_execution_id):
        rec = self.executions.get(node_execution_id.execution_id)
        node = rec.nodes.get(node_execution_id.node_id)
        if node is None:
            raise not_found(f"node execution {node_execution_id.node_id} of {rec.name} does not exist")
        return rec, node

    def ListNodeExecutions(self, request, context):
        rec = self.executions.get(request.workflow_execution_id)
        with self.executions.lock:
            # failure nodes are not part of the workflow's node map in flytekit's FlyteWorkflow; leave them out
            nodes = [n for n in rec.nodes.values() if not n.is_failure_node]
            if request.unique_parent_id:
                nodes = []  # the double never creates child nodes
            return node_execution_pb2.NodeExecutionList(node_executions=[rec.node_to_pb(n) for n in nodes])

    def GetNodeExecution(self, request, context):
        rec, node = self._node(request.id)
        with self.executions.lock:
            return rec.node_to_pb(node)

    def GetNodeExecutionData(self, request, context):
        rec, node = self._node(request.id)
        with self.executions.lock:
            resp = node_execution_pb2.NodeExecutionGetDataResponse(full_inputs=node.inputs)
            if node.phase == NODE.SUCCEEDED and node.outputs is not None:
                resp.full_outputs.CopyFrom(node.outputs)
            return resp

    def ListTaskExecutions(self, request, context):
        rec, node = self._node(request.node_execution_id)
        with self.executions.lock:
            found = [rec.task_execution_to_pb(node)] if node.task_id is not None else []
            return task_execution_pb2.TaskExecutionList(task_executions=found)

    def _task_node(self, task_execution_id):
        rec, node = self._node(task_execution_id.node_execution_id)
        if task_execution_id.retry_attempt != 0:
            raise not_found(f"the double runs one attempt only; no attempt {task_execution_id.retry_attempt}")
        return rec, node

    def GetTaskExecution(self, request, context):
        rec, node = self._task_node(request.id)
        with self.executions.lock:
            return rec.task_execution_to_pb(node)

    def GetTaskExecutionData(self, request, context):
        rec, node = self._task_node(request.id)
        with self.executions.lock:
            resp = task_execution_pb2.TaskExecutionGetDataResponse(full_inputs=node.inputs)
            if node.phase == NODE.SUCCEEDED and node.outputs is not None:
                resp.full_outputs.CopyFrom(node.outputs)
            return resp

    # -- projects, domains, version ------------------------------------------------------------------------
    def GetVersion(self, request, context):
        return version_pb2.GetVersionResponse(
            control_plane_version=version_pb2.Version(Build="admin-double", Version="v1.16.0-double", BuildTime="")
        )

    def GetDomains(self, request, context):
        return project_pb2.GetDomainsResponse(domains=[project_pb2.Domain(id=d, name=d) for d in DOMAINS])

    def RegisterProject(self, request, context):
        self.projects[request.project.id] = request.project
        return project_pb2.ProjectRegisterResponse()

    def GetProject(self, request, context):
        if request.id not in self.projects:
            raise not_found(f"project {request.id} does not exist")
        return self._project(request.id)

    def ListProjects(self, request, context):
        return project_pb2.Projects(projects=[self._project(p) for p in sorted(self.projects)])

    def _project(self, pid: str) -> project_pb2.Project:
        known = self.projects.get(pid)
        if known is not None:
            return known
        return project_pb2.Project(id=pid, name=pid, domains=[project_pb2.Domain(id=d, name=d) for d in DOMAINS])


@_handle_all
class DataProxyServicer(dataproxy_pb2_grpc.DataProxyServiceServicer):
    """Uploads go to ``<work_root>/uploads`` through a loopback HTTP PUT endpoint; downloads are local paths."""

    def __init__(self, executions: ExecutionStore, work_root: Path, upload_base_url_fn):
        self.executions = executions
        self.upload_root = work_root / "uploads"
        self.upload_base_url_fn = upload_base_url_fn  # () -> "http://127.0.0.1:<port>"

    def CreateUploadLocation(self, request, context):
        if not request.filename:
            raise invalid_argument("filename is required")
        folder = request.filename_root or (
            hashlib.md5(request.content_md5).hexdigest() if request.content_md5 else "nomd5"
        )
        rel = Path(request.project or "_", request.domain or "_", folder, request.filename)
        if ".." in rel.parts:
            raise invalid_argument("filename must not leave the upload folder")
        target = self.upload_root / rel
        resp = dataproxy_pb2.CreateUploadLocationResponse(
            signed_url=f"{self.upload_base_url_fn()}/{rel.as_posix()}", native_url=str(target)
        )
        return resp

    def CreateDownloadLocation(self, request, context):
        return dataproxy_pb2.CreateDownloadLocationResponse(signed_url=request.native_url)

    def CreateDownloadLink(self, request, context):
        raise not_found("the admin double keeps no decks or other artifacts to link to")

    def GetData(self, request, context):
        # flyte://v1/<project>/<domain>/<execution>/<node>[/<attempt>]/<i|o>
        url = request.flyte_url
        prefix = "flyte://v1/"
        if not url.startswith(prefix):
            raise invalid_argument(f"not a flyte url: {url}")
        parts = url[len(prefix) :].strip("/").split("/")
        if len(parts) not in (5, 6) or parts[-1] not in ("i", "o"):
            raise invalid_argument(f"unsupported flyte url {url}; the double resolves node inputs (i) and outputs (o)")
        ident = identifier_pb2.WorkflowExecutionIdentifier(project=parts[0], domain=parts[1], name=parts[2])
        rec = self.executions.get(ident)
        node = rec.nodes.get(parts[3])
        if node is None:
            raise not_found(f"node {parts[3]} of {rec.name} does not exist")
        data = node.inputs if parts[-1] == "i" else node.outputs
        if data is None:
            raise not_found(f"node {parts[3]} of {rec.name} has no outputs")
        return dataproxy_pb2.GetDataResponse(literal_map=data)
