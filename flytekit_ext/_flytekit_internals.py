"""flytekit_ext's one door to flytekit's internals.

Whatever flytekit_ext needs from flytekit that flytekit does not offer as public API is done here and nowhere
else: the private attributes it reads or sets, the flytekit objects it copies without their constructors, the
one flytekit class it changes. Each reliance is listed in :data:`RELIANCES` and checked when this module is
imported, so a flytekit release that drops one fails ``import flytekit_ext`` with a message naming the reliance
and the flytekit version, instead of misbehaving later. ``tests/test_flytekit_internals.py`` exercises each one
against the installed flytekit.

Everything else in flytekit_ext uses flytekit's public API (names without a leading underscore).
"""

from __future__ import annotations

import collections.abc
import dataclasses
import functools
import importlib.util
import logging
import tempfile
import typing
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple, TypeVar

import flytekit
from flyteidl.core.workflow_pb2 import ArrayNode
from flytekit.core.array_node_map_task import ArrayNodeMapTask
from flytekit.core.base_task import PythonTask, Task
from flytekit.core.checkpointer import Checkpoint, SyncCheckpoint
from flytekit.core.context_manager import (
    CompilationState,
    ExecutionParameters,
    ExecutionState,
    FlyteContext,
    FlyteContextManager,
    flyte_context_Var,
)
from flytekit.core.interface import Interface, transform_interface_to_typed_interface
from flytekit.core.local_cache import _recursive_hash_placement
from flytekit.core.python_auto_container import PythonAutoContainerTask
from flytekit.core.utils import _dnsify
from flytekit.image_spec.image_spec import ImageSpec
from flytekit.loggers import logger as flytekit_logger

T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class Reliance:
    """One thing flytekit_ext relies on that flytekit does not promise; ``present`` says whether it is there."""

    name: str
    why: str
    present: Callable[[], bool]


def _stores(function: Any, *attributes: str) -> Callable[[], bool]:
    """Whether ``function`` (a constructor or method of flytekit's) still names each of ``attributes``."""
    return lambda: all(name in function.__code__.co_names for name in attributes)


def _plain_objects(*classes: type) -> Callable[[], bool]:
    """Whether instances of ``classes`` keep their attributes in ``__dict__`` (so they can be copied as below)."""
    return lambda: all("__slots__" not in vars(cls) for cls in classes)


def _source_names(module: str, text: str) -> bool:
    """Whether the source of ``module`` still says ``text``, read without importing it (flytekit.remote is slow to
    import, and only an eager task on a backend needs it)."""
    spec = importlib.util.find_spec(module)
    origin = spec.origin if spec is not None else None
    return origin is not None and text in Path(origin).read_text(encoding="utf-8")


def _mode_default_is_compiling() -> bool:
    fields = {field.name: field for field in dataclasses.fields(CompilationState)}
    return "mode" in fields and fields["mode"].default == _COMPILING


def _has_properties(cls: type, *names: str) -> Callable[[], bool]:
    return lambda: all(isinstance(cls.__dict__.get(name), property) for name in names)


# flytekit's CompilationState.mode while a workflow is compiled (an int with no named constant in flytekit).
_COMPILING = 1

RELIANCES: Tuple[Reliance, ...] = (
    Reliance(
        "flytekit.core.context_manager.flyte_context_Var",
        "flytekit's context stack: a ContextVar holding a list whose last item is the current context; a local "
        "call installs a stack of its own so concurrent children never share one",
        lambda: isinstance(flyte_context_Var, ContextVar),
    ),
    Reliance(
        "CompilationState.mode == 1",
        "how a context says a workflow body is being compiled",
        _mode_default_is_compiling,
    ),
    Reliance(
        "FlyteContext, ExecutionState and ExecutionParameters keep their attributes in __dict__",
        "changed copies are made without their constructors (ExecutionState's makes a folder on disk)",
        _plain_objects(FlyteContext, ExecutionState, ExecutionParameters),
    ),
    Reliance(
        "ExecutionParameters._decks, _enable_deck, _timeline_deck, _working_directory, _checkpoint",
        "a call's decks, its timeline, and a sandbox made only when the task reads it",
        _stores(
            ExecutionParameters.__init__,
            "_decks",
            "_enable_deck",
            "_timeline_deck",
            "_working_directory",
            "_checkpoint",
        ),
    ),
    Reliance(
        "SyncCheckpoint._checkpoint_dest",
        "where a failed local attempt wrote its checkpoint, for the next attempt to read",
        _stores(SyncCheckpoint.__init__, "_checkpoint_dest"),
    ),
    Reliance(
        "PythonTask._python_interface and Task._interface",
        "typing.Callable inputs of flytekit_ext tasks use flytekit_ext's transformer, and no one else's",
        lambda: _stores(PythonTask.__init__, "_python_interface")() and _stores(Task.__init__, "_interface")(),
    ),
    Reliance(
        "PythonAutoContainerTask._task_resolver",
        "the eager failure handler is loaded by flytekit_ext's resolver (flytekit's constructor sets its own)",
        _stores(PythonAutoContainerTask.__init__, "_task_resolver"),
    ),
    Reliance(
        "PythonTask._write_decks",
        "the input and output decks of a run, written as flytekit writes them",
        lambda: callable(getattr(PythonTask, "_write_decks", None)),
    ),
    Reliance(
        "flytekit.core.local_cache._recursive_hash_placement",
        "a child execution's name hashes its input literals as flytekit's cache keys do (HashMethod honoured)",
        lambda: callable(_recursive_hash_placement),
    ),
    Reliance(
        "FileAccessProvider._get_upload_signed_url_fn",
        "an eager controller's inputs upload to flyte:// locations as FlyteRemote's own execute sets it up",
        lambda: _source_names("flytekit.remote.remote", "file_access._get_upload_signed_url_fn"),
    ),
    Reliance(
        "flytekit.core.utils._dnsify",
        "child execution names as flytekit makes DNS-compliant names",
        lambda: callable(_dnsify),
    ),
    Reliance(
        "ImageSpec._is_force_push",
        "an ImageSpec with flytekit_ext added keeps a force_push() the user asked for",
        _stores(ImageSpec.force_push, "_is_force_push"),
    ),
    Reliance(
        "ArrayNodeMapTask.execution_mode and python_function_task properties",
        "map_task gives flytekit_ext's plain task classes the ArrayNode state flytekit gives its own",
        _has_properties(ArrayNodeMapTask, "execution_mode", "python_function_task"),
    ),
    Reliance(
        "FlyteContextManager.initialize's main_signal_handler and FlyteContextManager.signal_handlers",
        "Ctrl-C raises KeyboardInterrupt (flytekit's own SIGINT handler ends the process with exit(1))",
        lambda: (
            isinstance(FlyteContextManager.signal_handlers, list)
            and "main_signal_handler" in FlyteContextManager.initialize.__code__.co_varnames
        ),
    ),
)


class UnsupportedFlytekit(ImportError):
    """The installed flytekit lacks something this flytekit_ext release relies on."""


def check(reliances: Tuple[Reliance, ...] = RELIANCES) -> None:
    """Raise :class:`UnsupportedFlytekit` naming every reliance the installed flytekit no longer satisfies."""
    missing = []
    for reliance in reliances:
        try:
            present = reliance.present()
        except Exception:  # noqa: BLE001 - a check that cannot even run means the reliance is gone
            present = False
        if not present:
            missing.append(f"  - {reliance.name}: {reliance.why}")
    if missing:
        raise UnsupportedFlytekit(
            f"flytekit_ext cannot run with flytekit {flytekit.__version__}, which lacks what it relies on:\n"
            + "\n".join(missing)
            + "\nInstall the flytekit version this flytekit_ext release supports (see its package requirements)."
        )


check()


# --- the context stack --------------------------------------------------------------------------------------

#: flytekit's context stack (a list of contexts, innermost last) for the running thread or asyncio task.
CONTEXT_STACK: ContextVar[List[FlyteContext]] = flyte_context_Var


def is_compiling(ctx: FlyteContext) -> bool:
    """Whether ``ctx`` is a workflow body (or a dynamic task's workflow) being compiled."""
    compilation = ctx.compilation_state
    return compilation is not None and compilation.mode == _COMPILING


# --- copies without constructors ----------------------------------------------------------------------------

_new = object.__new__
_set_attribute = object.__setattr__


def replaced(obj: T, **changes: Any) -> T:  # noqa: UP047 - Python 3.10 has no type parameter syntax
    """A copy of a ``FlyteContext``, ``ExecutionState`` or ``ExecutionParameters`` with ``changes``; ``obj`` is
    left as it is.

    ``dataclasses.replace`` would run ``ExecutionState``'s constructor, which makes a folder on disk on every
    call, and ``copy.copy`` of ``ExecutionParameters`` recurses through its ``__getattr__``.
    """
    attributes = obj.__dict__.copy()
    attributes.update(changes)
    duplicate = _new(type(obj))
    _set_attribute(duplicate, "__dict__", attributes)  # object's own setter: frozen dataclasses refuse theirs
    return duplicate


# --- execution parameters: decks, timeline, sandbox ----------------------------------------------------------


def with_decks_enabled(params: ExecutionParameters) -> ExecutionParameters:
    """``params`` for a run that writes decks (the decks list itself stays shared, as in flytekit)."""
    return replaced(params, _enable_deck=True)


def clear_decks(params: ExecutionParameters) -> None:
    """Give ``params`` a new, empty list of decks: a call that starts a local execution starts without any."""
    params._decks = []


class LazySandboxParameters(ExecutionParameters):
    """``ExecutionParameters`` whose working directory and checkpoint folder are made when first read.

    flytekit makes both for every local call with ``mkdtemp`` and ``mkdir``; most tasks never read either.
    """

    _sandbox_parent: str
    _sandbox: Optional[str]
    #: Where the previous attempt of this run wrote its checkpoint; None for a first attempt.
    _previous_checkpoint: Optional[str]

    def _ensure_sandbox(self) -> str:
        if self._sandbox is None:
            self._sandbox = tempfile.mkdtemp(prefix=self._sandbox_parent)
            checkpoint_dir = Path(self._sandbox) / "__cp"
            checkpoint_dir.mkdir(exist_ok=True)
            self._checkpoint = SyncCheckpoint(
                checkpoint_dest=str(checkpoint_dir), checkpoint_src=self._previous_checkpoint
            )
        return self._sandbox

    @property
    def working_directory(self) -> str:
        return self._ensure_sandbox()

    @property
    def checkpoint(self) -> Checkpoint:
        self._ensure_sandbox()
        return typing.cast(Checkpoint, self._checkpoint)


def lazy_sandbox(
    params: ExecutionParameters, previous_checkpoint: Optional[str], keep_timeline: bool
) -> LazySandboxParameters:
    """A copy of ``params`` with a sandbox of its own, made when first read.

    ``keep_timeline``: keep the timeline deck ``params`` remembers (a retry of the same run); a new call starts
    without one, as flytekit's parameters for a new call do.
    """
    if isinstance(params, LazySandboxParameters):
        parent = params._sandbox_parent  # a nested call does not need its parent's sandbox made
    else:
        parent_dir = params._working_directory
        parent = getattr(parent_dir, "name", None) or str(parent_dir)
    changes: Dict[str, Any] = {"_sandbox_parent": parent, "_sandbox": None, "_previous_checkpoint": previous_checkpoint}
    if not keep_timeline:
        changes["_timeline_deck"] = None
    attributes = params.__dict__.copy()
    attributes.update(changes)
    lazy: LazySandboxParameters = _new(LazySandboxParameters)
    lazy.__dict__ = attributes
    return lazy


def written_checkpoint(params: ExecutionParameters) -> Optional[str]:
    """Where a run with ``params`` wrote its checkpoint; None if it never made one."""
    if isinstance(params, LazySandboxParameters) and params._sandbox is None:
        return None
    checkpoint = params.__dict__.get("_checkpoint")
    return str(checkpoint._checkpoint_dest) if isinstance(checkpoint, SyncCheckpoint) else None


# --- tasks --------------------------------------------------------------------------------------------------


def _is_callable_type(python_type: Any) -> bool:
    return python_type in (typing.Callable, collections.abc.Callable) or (
        typing.get_origin(python_type) is collections.abc.Callable
    )


def use_transformer_for_callables(task: PythonTask, transformer: Any) -> None:
    """Make ``task``'s ``typing.Callable`` inputs and outputs convert with ``transformer``, for this task only.

    The types in the task's interface become ``Annotated[<type>, transformer]``, which flytekit's type engine
    resolves to that transformer wherever it converts them (local calls, workflow bindings, pods); the typed
    interface is made again from them. Other tasks' ``Callable`` types keep flytekit's own transformer.
    """
    interface = task.python_interface
    inputs = interface.inputs_with_defaults
    outputs = interface.outputs
    if not any(_is_callable_type(t) for t, _ in inputs.values()) and not any(
        _is_callable_type(t) for t in outputs.values()
    ):
        return

    def annotated(python_type: Any) -> Any:
        return typing.Annotated[python_type, transformer] if _is_callable_type(python_type) else python_type

    changed = Interface(
        inputs={name: (annotated(t), default) for name, (t, default) in inputs.items()},
        outputs={name: annotated(t) for name, t in outputs.items()},
        output_tuple_name=interface.output_tuple_name,
        docstring=interface.docstring,
    )
    task._python_interface = changed
    task._interface = transform_interface_to_typed_interface(changed)


def set_task_resolver(task: PythonAutoContainerTask, resolver: Any) -> None:
    """Give ``task`` another resolver than the one its flytekit constructor chose."""
    task._task_resolver = resolver


def write_io_decks(task: PythonTask, inputs: Dict[str, Any], outputs: Dict[str, Any], ctx: Any, params: Any) -> None:
    """The input and output decks of a run, as flytekit's ``PythonTask`` writes them (no dependencies deck)."""
    PythonTask._write_decks(task, inputs, outputs, ctx, params)


def hash_placed(literal: Any) -> Any:
    """``literal`` with each part that carries a hash (a ``HashMethod`` output) replaced by its hash, as flytekit
    places them before hashing a cache key."""
    return _recursive_hash_placement(literal)


def upload_through_data_proxy(remote: Any, project: str, domain: str) -> None:
    """Let ``remote``'s file access upload to ``flyte://`` locations through signed URLs, as ``FlyteRemote``'s
    own ``execute`` sets it up before uploading inputs."""
    file_access = remote.file_access
    if getattr(file_access, "_get_upload_signed_url_fn", None) is None:
        file_access._get_upload_signed_url_fn = functools.partial(
            remote.client.get_upload_signed_url, project=project, domain=domain
        )


def dns_label(value: str) -> str:
    """``value`` as a DNS label (lower-case letters, digits and ``-``, at most 63 characters), as flytekit makes one."""
    return _dnsify(value)


def keep_force_push(given: ImageSpec, extended: ImageSpec) -> None:
    """Carry a ``force_push()`` of ``given`` over to ``extended`` (``dataclasses.replace`` does not)."""
    if getattr(given, "_is_force_push", False):
        vars(extended)["_is_force_push"] = True


# --- the one flytekit class flytekit_ext changes: ArrayNodeMapTask.execution_mode -----------------------------


class _ExecutionModeAnsweringFor(property):
    """``ArrayNodeMapTask.execution_mode``, answering for some classes as flytekit does for its own plain ones."""

    def __init__(self, flytekits: property, classes: Tuple[type, ...]) -> None:
        self.flytekits = flytekits
        self.classes = classes

        def execution_mode(map_task: Any) -> Any:
            # python_function_task is the mapped task, also when map_task was given a partial of it.
            if type(map_task.python_function_task) in classes:
                return ArrayNode.MINIMAL_STATE
            return flytekits.fget(map_task)  # type: ignore[misc]

        super().__init__(execution_mode, doc=flytekits.__doc__)


def map_tasks_of_plain_classes_in_minimal_state(
    classes: Tuple[type, ...], map_task_class: type = ArrayNodeMapTask
) -> None:
    """Make ``map_task`` serialize an ArrayNode over a task of one of ``classes`` in ``MINIMAL_STATE``.

    flytekit chooses the lighter state only when the mapped task's type is *exactly* its own
    ``PythonFunctionTask`` or ``PythonInstanceTask``, a decision made from ``type(task)`` in the map task's
    constructor that no member of the mapped task can change. flytekit_ext's classes of those names stand for
    flytekit's, so the property the translator reads answers for them too, and asks flytekit's own property about
    every other task (flytekit's, plugins', every subclass). Idempotent.
    """
    current = map_task_class.__dict__.get("execution_mode")
    if isinstance(current, _ExecutionModeAnsweringFor):
        return
    if not isinstance(current, property) or current.fget is None:
        raise UnsupportedFlytekit(
            f"flytekit {flytekit.__version__}: {map_task_class.__qualname__}.execution_mode is no longer a property"
        )
    map_task_class.execution_mode = _ExecutionModeAnsweringFor(current, classes)  # type: ignore[attr-defined]


# --- building a task -----------------------------------------------------------------------------------------


class _CallablePickleWarning(logging.Filter):
    """Drops flytekit's "falling back to pickle" warning for ``Callable`` types, which flytekit_ext's own
    transformer takes over as soon as flytekit's constructor returns."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not message.startswith(("Unsupported Type typing.Callable", "Unsupported Type collections.abc.Callable"))


_QUIET_CALLABLES = _CallablePickleWarning()


@contextmanager
def building_task() -> Iterator[None]:
    """The block runs flytekit's constructor of a flytekit_ext task.

    flytekit refuses a function annotated to return a value whose source never says ``return`` (a task written
    only to fail, as Flyte 2 allows); it skips that check while the context has no execution state, so the block
    runs in such a context. flytekit also warns that ``Callable`` inputs fall back to pickle files, which is not
    so for flytekit_ext's tasks (see :func:`use_transformer_for_callables`).
    """
    ctx = FlyteContextManager.current_context()
    token = CONTEXT_STACK.set([*CONTEXT_STACK.get(), replaced(ctx, execution_state=None)])
    flytekit_logger.addFilter(_QUIET_CALLABLES)
    try:
        yield
    finally:
        flytekit_logger.removeFilter(_QUIET_CALLABLES)
        CONTEXT_STACK.reset(token)


# --- flytekit's SIGINT handler -------------------------------------------------------------------------------


def flytekits_sigint_callbacks(handler: Any) -> Optional[List[Callable[..., Any]]]:
    """The callbacks flytekit's own SIGINT handler runs, if ``handler`` is that handler; else ``None``.

    flytekit installs a SIGINT handler on the main thread when its first context is made; it runs the callbacks
    registered with ``FlyteContextManager.add_signal_handler`` and then ends the process with ``exit(1)``.
    flytekit_ext runs the callbacks and lets the interrupt be a ``KeyboardInterrupt`` instead.
    """
    if getattr(handler, "__qualname__", "") != _FLYTEKITS_SIGINT_HANDLER:
        return None
    return list(FlyteContextManager.signal_handlers)


_FLYTEKITS_SIGINT_HANDLER = "FlyteContextManager.initialize.<locals>.main_signal_handler"
