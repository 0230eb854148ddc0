"""The admin calls for one child execution of an eager run: its inputs, its creation, its outputs, its end.

Every call here blocks (a gRPC call of flytekit's client); the controller runs them on worker threads.

A task is registered (or found registered) once per eager run, then each child of it is created with one
``CreateExecution``, named as :mod:`.names` says. A creation that failed in a way that may have taken effect
(the admin unavailable, a deadline passed) is tried again under the same name, so it cannot make a second
execution: ``ALREADY_EXISTS`` then means the first try got through. Such an execution is adopted only if it is
this call's: launched by the same eager execution (label ``eager-exec``) for the same task. It may be from an
earlier attempt of a retried parent, and finished already: then its result is this call's too. One that an
earlier attempt aborted (the parent terminates its running children when it fails) is launched anew under the
next name (``<name>-r1``, ...), since its result is lost.
"""

from __future__ import annotations

import os
import tempfile
import threading
from dataclasses import dataclass
from typing import Any, Dict, Optional

import grpc
from flyteidl.core import literals_pb2
from flytekit.configuration import SerializationSettings
from flytekit.core.base_task import PythonTask
from flytekit.core.constants import EAGER_ROOT_ENV_NAME, EAGER_TAG_KEY, EAGER_TAG_ROOT_KEY
from flytekit.core.reference_entity import ReferenceEntity
from flytekit.core.type_engine import TypeEngine
from flytekit.core.utils import load_proto_from_file
from flytekit.exceptions.system import FlyteSystemUnavailableException
from flytekit.exceptions.user import FlyteEntityAlreadyExistsException, FlyteEntityNotExistException, FlyteTimeout
from flytekit.models.common import Envs, Labels
from flytekit.models.core.execution import WorkflowExecutionPhase
from flytekit.models.core.identifier import Identifier, WorkflowExecutionIdentifier
from flytekit.models.execution import ExecutionMetadata, ExecutionSpec, NotificationList
from flytekit.models.literals import LiteralMap
from flytekit.tools.translator import Options

from flytekit_ext._core.contexts import current_context, entered
from flytekit_ext._core.naming import GROUP_LABEL_KEY, group_label
from flytekit_ext._eager.names import relaunched_name
from flytekit_ext._flytekit_internals import upload_through_data_proxy
from flytekit_ext._runtime import literals

#: How many times a call whose execution an earlier attempt aborted is launched anew, under ``<name>-r<n>``.
MAX_RELAUNCHES = 5

# Codes after which a request may or may not have taken effect, and another try may succeed.
_TRANSIENT = {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.DEADLINE_EXCEEDED}
# Codes by which the admin says it is overloaded: every launch waits, not only the one refused.
_PUSHBACK = {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.RESOURCE_EXHAUSTED}


def status_code(error: BaseException) -> Optional[grpc.StatusCode]:
    """The gRPC status behind ``error`` (flytekit's client raises its own exceptions from the gRPC error)."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, grpc.RpcError) and callable(getattr(seen, "code", None)):
            code = seen.code()
            return code if isinstance(code, grpc.StatusCode) else None
        seen = seen.__cause__ or seen.__context__
    if isinstance(error, FlyteSystemUnavailableException):
        return grpc.StatusCode.UNAVAILABLE
    if isinstance(error, FlyteTimeout):
        return grpc.StatusCode.DEADLINE_EXCEEDED
    return None


def transient(error: BaseException) -> bool:
    """Whether an admin call that failed with ``error`` may succeed if made again."""
    return status_code(error) in _TRANSIENT


def pushback(error: BaseException) -> bool:
    """Whether ``error`` is the admin saying it is overloaded."""
    return status_code(error) in _PUSHBACK


@dataclass(frozen=True)
class Launched:
    """A child execution that exists: under ``name``, created now or found (``existing``) from before."""

    name: str
    existing: Any = None  # the execution model found under the name, if it was not created now


class NotOurExecution(RuntimeError):
    """The name a call's execution gets is taken by an execution that is not that call's."""


class Launcher:
    """Creates, reads and terminates the children of eager execution ``parent``."""

    def __init__(self, remote: Any, settings: SerializationSettings, parent: str, root: str) -> None:
        self.remote = remote
        self.settings = settings
        self.parent = parent
        self.project: str = remote.default_project
        self.domain: str = remote.default_domain
        self._labels = {EAGER_TAG_KEY: parent, EAGER_TAG_ROOT_KEY: root}
        self._envs = {EAGER_ROOT_ENV_NAME: root}
        self._registered: Dict[str, Identifier] = {}  # task name -> the registered task launched
        self._registering = threading.Lock()

    # --- inputs -------------------------------------------------------------------------------------------

    def _context(self) -> Any:
        """The caller's flytekit context, offloading data where the remote uploads inputs (as FlyteRemote does)."""
        ctx = current_context()
        file_access = getattr(self.remote, "file_access", None)
        if file_access is None:
            return ctx
        if file_access.raw_output_prefix.startswith("flyte://"):
            upload_through_data_proxy(self.remote, self.project, self.domain)
        return ctx.with_file_access(file_access).build()

    def input_literals(self, entity: Any, inputs: Dict[str, Any]) -> LiteralMap:
        """The call's inputs as literals, uploading what is offloaded (files, DataFrames, pickles)."""
        ctx = self._context()
        with entered(ctx):
            if getattr(entity, "python_interface", None) is not None:
                converters = literals.TaskConverters.of(entity)
                unknown = sorted(set(inputs) - set(converters.inputs.names))
                if unknown:
                    raise TypeError(f"Task '{entity.name}' has no input named {', '.join(map(repr, unknown))}")
                return literals.inputs_to_literals(ctx, entity, inputs, converters.inputs)
            # A remote entity (fetched from the backend) knows its inputs' literal types only.
            variables = entity.interface.inputs
            return LiteralMap(
                {
                    name: TypeEngine.to_literal(
                        ctx, value, TypeEngine.guess_python_type(variables[name].type), variables[name].type
                    )
                    for name, value in inputs.items()
                }
            )

    # --- creation -----------------------------------------------------------------------------------------

    def _target(self, entity: Any) -> Optional[Identifier]:
        """The registered task to create ``entity``'s executions from; None: let ``FlyteRemote.execute`` do it."""
        version = self.settings.version
        if not isinstance(entity, PythonTask) or isinstance(entity, ReferenceEntity) or not version:
            return None
        with self._registering:
            found = self._registered.get(entity.name)
            if found is None:
                try:
                    task = self.remote.fetch_task(self.project, self.domain, entity.name, version)
                except FlyteEntityNotExistException:
                    task = self.remote.register_task(entity, serialization_settings=self.settings, version=version)
                found = self._registered[entity.name] = task.id
            return found

    def launch(self, entity: Any, name: str, inputs: LiteralMap, group: Optional[str]) -> Launched:
        """Create the execution ``name`` of ``entity`` on ``inputs``, or find it, this call's, from before."""
        labels = dict(self._labels)
        if group is not None:
            labels[GROUP_LABEL_KEY] = group_label(group)
        target = self._target(entity)
        for relaunch in range(MAX_RELAUNCHES + 1):
            tried = name if relaunch == 0 else relaunched_name(name, relaunch)
            existing = self._create(entity, target, tried, inputs, labels)
            if existing is None:
                return Launched(tried)
            self._check_ours(existing, entity)
            if existing.closure.phase != WorkflowExecutionPhase.ABORTED:
                return Launched(tried, existing)
        raise RuntimeError(
            f"Task '{entity.name}' was called by eager execution {self.parent}, whose earlier attempts launched it as "
            f"{name} and {MAX_RELAUNCHES} more times, aborting each; it is not launched again"
        )

    def _create(
        self, entity: Any, target: Optional[Identifier], name: str, inputs: LiteralMap, labels: Dict[str, str]
    ) -> Any:
        """Create execution ``name``; None if it was created now, else the execution found under that name."""
        if target is None:  # workflows, launch plans, reference and remote entities: FlyteRemote knows them all
            execution = self.remote.execute(
                entity=entity,
                inputs=dict(inputs.literals),
                execution_name=name,
                version=self.settings.version,
                image_config=self.settings.image_config,
                options=Options(labels=Labels(labels)),
                envs=self._envs,
                serialization_settings=self.settings,
            )
            # It adopts an execution of that name that exists already without a word: what it returns is checked
            # like an execution found under the name (one created now passes the checks).
            return execution
        spec = ExecutionSpec(
            target,
            ExecutionMetadata(ExecutionMetadata.ExecutionMode.MANUAL, "placeholder", 0),
            notifications=NotificationList([]),
            labels=Labels(labels),
            envs=Envs(self._envs),
        )
        try:
            self.remote.client.create_execution(self.project, self.domain, name, spec, inputs)
            return None
        except FlyteEntityAlreadyExistsException:
            return self.remote.client.get_execution(self._id(name))

    def _check_ours(self, execution: Any, entity: Any) -> None:
        labels = execution.spec.labels.values if execution.spec.labels is not None else {}
        launched_by = labels.get(EAGER_TAG_KEY)
        task = execution.spec.launch_plan.name
        if launched_by != self.parent or task != getattr(entity, "name", task):
            raise NotOurExecution(
                f"Task '{entity.name}' was called by eager execution {self.parent}, but its execution name "
                f"{execution.id.name} is taken by an execution of '{task}' launched by "
                f"{'eager execution ' + launched_by if launched_by else 'something other than an eager task'}; "
                f"it is not this call's, and nothing was launched"
            )

    # --- after ----------------------------------------------------------------------------------------------

    def _id(self, name: str) -> WorkflowExecutionIdentifier:
        return WorkflowExecutionIdentifier(self.project, self.domain, name)

    def output_literals(self, name: str) -> LiteralMap:
        """The outputs of the succeeded execution ``name``: inline, or read from where the admin offloaded them."""
        data = self.remote.client.get_execution_data(self._id(name))
        if data.full_outputs is not None and data.full_outputs.literals:
            return data.full_outputs
        if data.outputs is None or not data.outputs.bytes:
            return LiteralMap({})
        ctx = self._context()
        with tempfile.TemporaryDirectory(prefix="flytekit-ext-outputs-") as folder:
            path = os.path.join(folder, "outputs.pb")
            ctx.file_access.get_data(data.outputs.url, path)
            return LiteralMap.from_flyte_idl(load_proto_from_file(literals_pb2.LiteralMap, path))

    def terminate(self, name: str, reason: str) -> None:
        self.remote.client.terminate_execution(self._id(name), reason)

    def console_url(self, name: str) -> Optional[str]:
        """Where the execution ``name`` is shown in Flyte's console, if the remote knows a console."""
        generate = getattr(self.remote, "generate_console_url", None)
        if generate is None:
            return None
        try:
            return str(generate(self._id(name)))
        except Exception:  # noqa: BLE001 - a link is a convenience: without one the error still names the execution
            return None
