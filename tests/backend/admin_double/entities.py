"""In-memory storage of registered tasks, workflows and launch plans, with Admin's create/get/list semantics.

Registration mirrors FlyteAdmin: re-registering an identical entity answers ALREADY_EXISTS (which flytekit
ignores); registering a *different* spec under an existing id answers INVALID_ARGUMENT. Creating a workflow
"compiles" it: the referenced tasks must already be registered and are copied into the compiled closure,
and the node connections are computed from ``upstream_node_ids`` and promise bindings.
"""

from __future__ import annotations

import datetime
import threading
from typing import Dict, Iterable, List, Optional, Tuple

from flyteidl.admin import common_pb2, launch_plan_pb2, task_pb2, workflow_pb2
from flyteidl.core import compiler_pb2, identifier_pb2
from flyteidl.core import workflow_pb2 as core_workflow_pb2

from . import filters as flt
from .errors import already_exists, invalid_argument, not_found

IdKey = Tuple[str, str, str, str]
START_NODE = "start-node"


def id_key(ident: identifier_pb2.Identifier) -> IdKey:
    return (ident.project, ident.domain, ident.name, ident.version)


def id_str(ident) -> str:
    return f"{ident.project}/{ident.domain}/{ident.name}" + (
        f"@{ident.version}" if getattr(ident, "version", "") else ""
    )


def now_utc() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def iter_task_nodes(nodes: Iterable[core_workflow_pb2.Node]) -> Iterable[core_workflow_pb2.Node]:
    """All nodes holding a task reference, looking inside branch and array nodes."""
    for node in nodes:
        kind = node.WhichOneof("target")
        if kind == "task_node":
            yield node
        elif kind == "branch_node":
            ie = node.branch_node.if_else
            inner = [ie.case.then_node] + [c.then_node for c in ie.other]
            if ie.HasField("else_node"):
                inner.append(ie.else_node)
            yield from iter_task_nodes(inner)
        elif kind == "array_node":
            yield from iter_task_nodes([node.array_node.node])


def node_dependencies(node: core_workflow_pb2.Node) -> List[str]:
    """Upstream node ids of a node: declared ones plus those its promise bindings read from."""
    deps = list(node.upstream_node_ids)

    def visit(bd) -> None:
        kind = bd.WhichOneof("value")
        if kind == "promise":
            if bd.promise.node_id and bd.promise.node_id != START_NODE:
                deps.append(bd.promise.node_id)
        elif kind == "collection":
            for b in bd.collection.bindings:
                visit(b)
        elif kind == "map":
            for b in bd.map.bindings.values():
                visit(b)
        elif kind == "union":
            visit(bd.union.value)

    for binding in node.inputs:
        visit(binding.binding)
    return list(dict.fromkeys(deps))


class _Versions:
    """Entities of one kind: id -> (created_at, sequence, message)."""

    def __init__(self, kind: str):
        self.kind = kind
        self.items: Dict[IdKey, Tuple[datetime.datetime, int, object]] = {}

    def get(self, ident) -> object:
        key = id_key(ident)
        if key not in self.items:
            raise not_found(f"{self.kind} {id_str(ident)} does not exist")
        return self.items[key][2]

    def list(self, req: common_pb2.ResourceListRequest, name_required: bool = True):
        if name_required and not req.id.name:
            raise invalid_argument(f"listing {self.kind}s requires a name")
        fs = flt.parse_filters(req.filters)
        rows = [
            (k, v)
            for k, v in self.items.items()
            if k[0] == req.id.project and k[1] == req.id.domain and (not req.id.name or k[2] == req.id.name)
        ]

        def field(row, key: str):
            (project, domain, name, version), (created, seq, _) = row
            key = key.split(".", 1)[1] if key.startswith(f"{self.kind}.") else key
            values = {"project": project, "domain": domain, "name": name, "version": version, "created_at": created}
            if key not in values:
                raise invalid_argument(f"unsupported filter key {key!r} for {self.kind}s")
            return values[key]

        rows = [r for r in rows if flt.matches(fs, lambda k, r=r: field(r, k))]
        rows.sort(key=lambda r: r[1][1])  # registration order breaks created_at ties
        descending = not req.HasField("sort_by") or req.sort_by.direction == common_pb2.Sort.DESCENDING
        sort_key = req.sort_by.key if req.HasField("sort_by") else "created_at"
        page, token = flt.sort_and_page(rows, sort_key, descending, field, req.limit, req.token)
        return [r[1][2] for r in page], token

    def named_ids(self, project: str, domain: str) -> List[common_pb2.NamedEntityIdentifier]:
        names = sorted({k[2] for k in self.items if k[0] == project and k[1] == domain})
        return [common_pb2.NamedEntityIdentifier(project=project, domain=domain, name=n) for n in names]


class EntityStore:
    """Registered tasks, workflows and launch plans. All methods are thread safe."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._seq = 0
        self.tasks = _Versions("task")
        self.workflows = _Versions("workflow")
        self.launch_plans = _Versions("launch_plan")
        self._active: Dict[Tuple[str, str, str], IdKey] = {}

    def _put(self, versions: _Versions, ident, message, spec_bytes: bytes, existing_spec) -> None:
        key = id_key(ident)
        if key in versions.items:
            if existing_spec(versions.items[key][2]) == spec_bytes:
                raise already_exists(f"{versions.kind} {id_str(ident)} already exists")
            raise invalid_argument(f"{versions.kind} with different structure already exists: {id_str(ident)}")
        self._seq += 1
        versions.items[key] = (now_utc(), self._seq, message)

    # -- tasks ---------------------------------------------------------------------------------------------
    def create_task(self, req: task_pb2.TaskCreateRequest) -> None:
        if not req.id.name or not req.id.version:
            raise invalid_argument("task id needs a name and a version")
        template = type(req.spec.template)()
        template.CopyFrom(req.spec.template)
        template.id.CopyFrom(req.id)
        with self._lock:
            created = now_utc()
            task = task_pb2.Task(
                id=req.id,
                closure=task_pb2.TaskClosure(compiled_task=compiler_pb2.CompiledTask(template=template)),
            )
            task.closure.created_at.FromDatetime(created)
            self._put(
                self.tasks,
                req.id,
                task,
                template.SerializeToString(deterministic=True),
                lambda t: t.closure.compiled_task.template.SerializeToString(deterministic=True),
            )

    def get_task(self, ident) -> task_pb2.Task:
        with self._lock:
            return self.tasks.get(ident)

    # -- workflows -----------------------------------------------------------------------------------------
    def create_workflow(self, req: workflow_pb2.WorkflowCreateRequest) -> None:
        if not req.id.name or not req.id.version:
            raise invalid_argument("workflow id needs a name and a version")
        with self._lock:
            template = type(req.spec.template)()
            template.CopyFrom(req.spec.template)
            template.id.CopyFrom(req.id)
            closure = self._compile(template, list(req.spec.sub_workflows))
            wf = workflow_pb2.Workflow(id=req.id, closure=workflow_pb2.WorkflowClosure(compiled_workflow=closure))
            wf.closure.created_at.FromDatetime(now_utc())
            self._put(
                self.workflows,
                req.id,
                wf,
                template.SerializeToString(deterministic=True),
                lambda w: w.closure.compiled_workflow.primary.template.SerializeToString(deterministic=True),
            )

    def _compile(self, primary, sub_workflows) -> compiler_pb2.CompiledWorkflowClosure:
        templates = [primary] + sub_workflows
        tasks: Dict[IdKey, compiler_pb2.CompiledTask] = {}
        for tpl in templates:
            nodes = list(tpl.nodes) + ([tpl.failure_node] if tpl.HasField("failure_node") else [])
            for node in iter_task_nodes(nodes):
                ref = node.task_node.reference_id
                task = self.tasks.items.get(id_key(ref))
                if task is None:
                    raise invalid_argument(f"workflow {id_str(primary.id)} references unregistered task {id_str(ref)}")
                tasks[id_key(ref)] = task[2].closure.compiled_task
        return compiler_pb2.CompiledWorkflowClosure(
            primary=compiler_pb2.CompiledWorkflow(template=primary, connections=self._connections(primary)),
            sub_workflows=[
                compiler_pb2.CompiledWorkflow(template=sw, connections=self._connections(sw)) for sw in sub_workflows
            ],
            tasks=list(tasks.values()),
        )

    @staticmethod
    def _connections(tpl) -> compiler_pb2.ConnectionSet:
        upstream: Dict[str, List[str]] = {}
        downstream: Dict[str, List[str]] = {}
        for node in tpl.nodes:
            deps = node_dependencies(node) or [START_NODE]
            upstream[node.id] = deps
            for d in deps:
                downstream.setdefault(d, []).append(node.id)
        cs = compiler_pb2.ConnectionSet()
        for k, v in upstream.items():
            cs.upstream[k].ids.extend(v)
        for k, v in downstream.items():
            cs.downstream[k].ids.extend(v)
        return cs

    def get_workflow(self, ident) -> workflow_pb2.Workflow:
        with self._lock:
            return self.workflows.get(ident)

    # -- launch plans --------------------------------------------------------------------------------------
    def create_launch_plan(self, req: launch_plan_pb2.LaunchPlanCreateRequest) -> None:
        if not req.id.name or not req.id.version:
            raise invalid_argument("launch plan id needs a name and a version")
        with self._lock:
            wf = self.workflows.items.get(id_key(req.spec.workflow_id))
            if wf is None:
                raise invalid_argument(
                    f"launch plan {id_str(req.id)} references unregistered workflow {id_str(req.spec.workflow_id)}"
                )
            interface = wf[2].closure.compiled_workflow.primary.template.interface
            lp = launch_plan_pb2.LaunchPlan(
                id=req.id,
                spec=req.spec,
                closure=launch_plan_pb2.LaunchPlanClosure(
                    state=launch_plan_pb2.INACTIVE,
                    expected_inputs=req.spec.default_inputs,
                    expected_outputs=interface.outputs,
                ),
            )
            lp.closure.created_at.FromDatetime(now_utc())
            lp.closure.updated_at.FromDatetime(now_utc())
            self._put(
                self.launch_plans,
                req.id,
                lp,
                req.spec.SerializeToString(deterministic=True),
                lambda x: x.spec.SerializeToString(deterministic=True),
            )

    def get_launch_plan(self, ident) -> launch_plan_pb2.LaunchPlan:
        with self._lock:
            return self.launch_plans.get(ident)

    def update_launch_plan(self, ident, state: int) -> None:
        with self._lock:
            lp = self.launch_plans.get(ident)
            name_key = (ident.project, ident.domain, ident.name)
            if state == launch_plan_pb2.ACTIVE:
                previous = self._active.get(name_key)
                if previous and previous != id_key(ident):
                    self.launch_plans.items[previous][2].closure.state = launch_plan_pb2.INACTIVE
                self._active[name_key] = id_key(ident)
            elif self._active.get(name_key) == id_key(ident):
                del self._active[name_key]
            lp.closure.state = state
            lp.closure.updated_at.FromDatetime(now_utc())

    def get_active_launch_plan(self, named_id) -> launch_plan_pb2.LaunchPlan:
        with self._lock:
            key = self._active.get((named_id.project, named_id.domain, named_id.name))
            if key is None:
                raise not_found(f"no active launch plan named {id_str(named_id)}")
            return self.launch_plans.items[key][2]

    def list_active_launch_plans(self, project: str, domain: str) -> List[launch_plan_pb2.LaunchPlan]:
        with self._lock:
            return [
                self.launch_plans.items[k][2] for (p, d, _), k in self._active.items() if p == project and d == domain
            ]

    # -- lookups used by the runner ------------------------------------------------------------------------
    def find_task(self, ident) -> Optional[task_pb2.Task]:
        with self._lock:
            row = self.tasks.items.get(id_key(ident))
            return row[2] if row else None
