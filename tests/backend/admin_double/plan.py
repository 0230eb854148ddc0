"""Turning an execution spec into a run plan: which task containers run, in which order, fed by what.

Supported shapes (everything else makes the execution FAIL with a message saying it is unsupported):

* a single task (``spec.launch_plan.resource_type == TASK``): one node ``n0`` fed the execution inputs;
* a launch plan of a workflow whose nodes are all task nodes (run one at a time in dependency order), with
  bindings that are scalars, promises (with no attribute path), collections, maps or unions of those;
* an optional ``failure_node`` that is a task node (the shape flytekit gives an eager task registered as a
  workflow: the eager node ``n0`` plus the on-failure node ``efn`` running ``EagerFailureHandlerTask``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional

from flyteidl.admin import execution_pb2
from flyteidl.core import identifier_pb2, literals_pb2, tasks_pb2
from flyteidl.core import workflow_pb2 as core_workflow_pb2

from .entities import START_NODE, EntityStore, id_str, node_dependencies
from .errors import invalid_argument, not_found


class Unsupported(Exception):
    """The execution's entity has a shape the double cannot run."""


@dataclass
class PlannedNode:
    node_id: str
    task_id: identifier_pb2.Identifier
    template: tasks_pb2.TaskTemplate
    bindings: Optional[List[core_workflow_pb2.Binding]]  # None: the node gets the execution's inputs as they are


@dataclass
class Plan:
    workflow_name: str
    launch_plan_name: str
    workflow_id: Optional[identifier_pb2.Identifier]
    nodes: List[PlannedNode] = field(default_factory=list)
    outputs: Optional[List[core_workflow_pb2.Binding]] = None  # None: the execution's outputs are the last node's
    failure_node: Optional[PlannedNode] = None
    unsupported: Optional[str] = None  # set instead of nodes when the shape cannot be run


def merged_inputs(entities: EntityStore, spec: execution_pb2.ExecutionSpec, given: literals_pb2.LiteralMap):
    """The inputs an execution runs with: launch plan defaults, then fixed inputs, then the given ones."""
    ref = spec.launch_plan
    if ref.resource_type != identifier_pb2.LAUNCH_PLAN:
        return given
    lp = entities.get_launch_plan(ref)
    merged = literals_pb2.LiteralMap()
    required = []
    for name, param in lp.spec.default_inputs.parameters.items():
        if param.HasField("default"):
            merged.literals[name].CopyFrom(param.default)
        elif param.required:
            required.append(name)
    for name, lit in lp.spec.fixed_inputs.literals.items():
        merged.literals[name].CopyFrom(lit)
    for name, lit in given.literals.items():
        if name in lp.spec.fixed_inputs.literals:
            raise invalid_argument(f"input {name!r} is fixed by launch plan {id_str(ref)}")
        merged.literals[name].CopyFrom(lit)
    missing = [n for n in required if n not in merged.literals]
    if missing:
        raise invalid_argument(f"missing required inputs {missing} for launch plan {id_str(ref)}")
    return merged


def _planned(entities: EntityStore, node: core_workflow_pb2.Node) -> PlannedNode:
    kind = node.WhichOneof("target")
    if kind != "task_node":
        raise Unsupported(f"node {node.id!r} is a {kind}; the admin double runs task nodes only")
    ref = node.task_node.reference_id
    task = entities.find_task(ref)
    if task is None:
        raise Unsupported(f"node {node.id!r} references unregistered task {id_str(ref)}")
    return PlannedNode(node.id, ref, task.closure.compiled_task.template, list(node.inputs))


def _ordered(nodes: List[core_workflow_pb2.Node]) -> List[core_workflow_pb2.Node]:
    """Topological order that keeps the template's order among independent nodes."""
    by_id = {n.id: n for n in nodes}
    done: List[str] = []
    pending = list(nodes)
    while pending:
        ready = [n for n in pending if all(d in done or d not in by_id for d in node_dependencies(n))]
        if not ready:
            raise Unsupported(f"workflow has a dependency cycle among {[n.id for n in pending]}")
        done.append(ready[0].id)
        pending.remove(ready[0])
    return [by_id[i] for i in done]


def build_plan(entities: EntityStore, spec: execution_pb2.ExecutionSpec) -> Plan:
    """Raises NOT_FOUND for unknown entities (as Admin does at create time); returns a plan otherwise."""
    ref = spec.launch_plan
    if ref.resource_type == identifier_pb2.TASK:
        task = entities.find_task(ref)
        if task is None:
            raise not_found(f"task {id_str(ref)} does not exist")
        flytegen = f".flytegen.{ref.name}"
        node = PlannedNode("n0", ref, task.closure.compiled_task.template, None)
        return Plan(workflow_name=flytegen, launch_plan_name=flytegen, workflow_id=None, nodes=[node])
    if ref.resource_type != identifier_pb2.LAUNCH_PLAN:
        raise invalid_argument(f"cannot execute a {identifier_pb2.ResourceType.Name(ref.resource_type)}")
    lp = entities.get_launch_plan(ref)
    wf = entities.get_workflow(lp.spec.workflow_id)
    template = wf.closure.compiled_workflow.primary.template
    plan = Plan(workflow_name=wf.id.name, launch_plan_name=ref.name, workflow_id=wf.id, outputs=list(template.outputs))
    try:
        plan.nodes = [_planned(entities, n) for n in _ordered([n for n in template.nodes if n.id not in _SYSTEM])]
        if template.HasField("failure_node"):
            plan.failure_node = _planned(entities, template.failure_node)
    except Unsupported as e:
        plan.nodes, plan.failure_node, plan.unsupported = [], None, str(e)
    return plan


_SYSTEM = {START_NODE, "end-node"}


class BindingError(Exception):
    pass


def resolve_binding(
    bd: literals_pb2.BindingData,
    wf_inputs: literals_pb2.LiteralMap,
    node_outputs: Dict[str, literals_pb2.LiteralMap],
) -> literals_pb2.Literal:
    kind = bd.WhichOneof("value")
    if kind == "scalar":
        return literals_pb2.Literal(scalar=bd.scalar)
    if kind == "collection":
        return literals_pb2.Literal(
            collection=literals_pb2.LiteralCollection(
                literals=[resolve_binding(b, wf_inputs, node_outputs) for b in bd.collection.bindings]
            )
        )
    if kind == "map":
        return literals_pb2.Literal(
            map=literals_pb2.LiteralMap(
                literals={k: resolve_binding(b, wf_inputs, node_outputs) for k, b in bd.map.bindings.items()}
            )
        )
    if kind == "union":
        return resolve_binding(bd.union.value, wf_inputs, node_outputs)
    if kind == "promise":
        p = bd.promise
        if len(p.attr_path):
            raise BindingError(f"promise {p.node_id}.{p.var} uses an attribute path, which the double does not resolve")
        source = wf_inputs if p.node_id in ("", START_NODE) else node_outputs.get(p.node_id)
        if source is None or p.var not in source.literals:
            raise BindingError(f"no value for {p.node_id or START_NODE}.{p.var}")
        return source.literals[p.var]
    raise BindingError(f"binding of kind {kind!r} is not supported by the double")


def resolve_bindings(bindings, wf_inputs, node_outputs) -> literals_pb2.LiteralMap:
    out = literals_pb2.LiteralMap()
    for b in bindings:
        out.literals[b.var].CopyFrom(resolve_binding(b.binding, wf_inputs, node_outputs))
    return out
