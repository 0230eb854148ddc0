"""Recording the calls of ``flytekit_ext.trace`` functions in an eager run, and reusing them on a retry.

Each eager run (local or on a backend) has one :class:`TraceRecorder`. Every call of a traced function made in
its body is recorded: inputs, output or error, start and duration; the eager task's deck shows them. On a
backend the recorder also keeps each completed call in the task's checkpoint, which the cluster hands to the
next attempt of the task (``--prev-checkpoint``): a retried eager task finds the calls that completed before and
returns their recorded outputs instead of running the function again.

A call is found again by its key: the function's qualified name, the hash of its inputs (with defaults applied) as
literals, as :mod:`.names` hashes a child's inputs, and how many calls with the same function and inputs came
before it in the run. Each input is converted by flytekit's type engine for its annotation (or the type of the
value), honouring ``HashMethod``, into a scratch folder (nothing is uploaded for a key); a value the type engine
could only pickle counts by the hash of its pickle. ``repr`` is only what the deck shows.
"""

from __future__ import annotations

import hashlib
import html
import inspect
import tempfile
import threading
import time
import typing
import uuid
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Protocol, Tuple

import cloudpickle
from flytekit.core.context_manager import FlyteContext
from flytekit.core.data_persistence import FileAccessProvider
from flytekit.core.type_engine import TypeEngine
from flytekit.loggers import logger
from flytekit.models.literals import Literal, LiteralMap
from flytekit.types.pickle.pickle import FlytePickleTransformer

from flytekit_ext._core.contexts import current_context
from flytekit_ext._eager import names
from flytekit_ext._runtime.failures import recoverable
from flytekit_ext._runtime.literals import Converter

_SHOWN_CHARACTERS = 200


def _shown(value: str) -> str:
    return value if len(value) <= _SHOWN_CHARACTERS else value[: _SHOWN_CHARACTERS - 3] + "..."


@dataclass(frozen=True)
class TraceRecord:
    """One completed call of a traced function."""

    function: str
    inputs: str
    started: float  # seconds since the epoch
    duration: float  # seconds
    output: Any = None
    error: Optional[BaseException] = None
    reused: bool = False  # recorded by an earlier attempt, not run in this one

    @property
    def outcome(self) -> str:
        if self.error is not None:
            return f"{type(self.error).__name__}: {self.error}"
        return repr(self.output)

    @property
    def replayable(self) -> bool:
        """A later attempt returns this call's output, or raises its error when no attempt could succeed."""
        return self.error is None or not recoverable(self.error)


@dataclass(frozen=True)
class TraceCall:
    """A call of a traced function that has started."""

    key: str
    function: str
    inputs: str
    started: float
    previous: Optional[TraceRecord]  # what an earlier attempt recorded for the same key


class TraceStore(Protocol):
    """Where a backend run keeps completed calls between attempts."""

    def load(self) -> Dict[str, TraceRecord]:
        """The calls earlier attempts completed, by key."""

    def save(self, key: str, record: TraceRecord) -> None:
        """Keep ``record`` for the attempts after this one."""


class CheckpointTraceStore:
    """Completed calls kept as files in flytekit's task checkpoint, one file per call.

    The cluster gives each attempt the checkpoint the previous one wrote; :meth:`load` copies what it finds into
    this attempt's checkpoint (one file), so an attempt sees the calls of every attempt before it.
    """

    PREFIX = "flytekit-ext-trace-"

    def __init__(self, checkpoint: Any) -> None:
        self._task_checkpoint = checkpoint
        self._scratch = tempfile.TemporaryDirectory(prefix="flytekit-ext-traces-")

    def _write(self, name: str, records: Dict[str, TraceRecord]) -> None:
        path = Path(self._scratch.name) / f"{self.PREFIX}{name}.pkl"
        path.write_bytes(cloudpickle.dumps(records))
        self._task_checkpoint.save(path)

    def load(self) -> Dict[str, TraceRecord]:
        restored = self._task_checkpoint.restore()
        if restored is None:
            return {}
        found: Dict[str, TraceRecord] = {}
        for path in sorted(Path(restored).glob(f"{self.PREFIX}*.pkl")):
            found.update(cloudpickle.loads(path.read_bytes()))
        if found:
            self._write("earlier-attempts", found)
        return found

    def save(self, key: str, record: TraceRecord) -> None:
        self._write(key, {key: record})


class TraceRecorder:
    """The traced calls of one eager run; see the module's description."""

    def __init__(self, store: Optional[TraceStore] = None, previous: Optional[Dict[str, TraceRecord]] = None) -> None:
        self._store = store
        self._previous = previous or {}
        self._lock = threading.Lock()
        self._seen: Counter[Tuple[str, str]] = Counter()
        self._scratch: Optional[tempfile.TemporaryDirectory[str]] = None  # where inputs are converted for keys
        self.records: List[TraceRecord] = []

    @staticmethod
    def for_checkpoint(checkpoint: Any) -> TraceRecorder:
        """A recorder keeping calls in ``checkpoint`` (flytekit's ``Checkpoint``), with what it already holds."""
        store = CheckpointTraceStore(checkpoint)
        previous = store.load()
        if previous:
            logger.info(f"Traces: {len(previous)} call(s) recorded by earlier attempts will not run again")
        return TraceRecorder(store, previous)

    def begin(
        self, function: Callable[..., Any], signature: Optional[inspect.Signature], args: Any, kwargs: Any
    ) -> TraceCall:
        name = f"{function.__module__}.{function.__qualname__}"
        arguments = _arguments(signature, args, kwargs)
        shown = repr(arguments)
        if self._store is None and not self._previous:
            return TraceCall("", name, shown, time.time(), None)  # nothing kept, nothing to find: no key needed
        digest = names.inputs_digest(self._literals(function, arguments))
        with self._lock:
            self._seen[(name, digest)] += 1
            seq = self._seen[(name, digest)]
        key = names.trace_key(name, digest, seq)
        previous = self._previous.get(key)
        if previous is not None and not previous.replayable:
            previous = None
        return TraceCall(key, name, shown, time.time(), previous)

    def _scratch_context(self) -> FlyteContext:
        with self._lock:
            if self._scratch is None:
                self._scratch = tempfile.TemporaryDirectory(prefix="flytekit-ext-trace-inputs-")
            folder = self._scratch.name
        scratch = FileAccessProvider(local_sandbox_dir=folder, raw_output_prefix=str(Path(folder) / "raw"))
        return current_context().with_file_access(scratch).build()

    def _literals(self, function: Callable[..., Any], arguments: Dict[str, Any]) -> LiteralMap:
        """The arguments as literals, for their hash: by annotation (else by the value's type), ``HashMethod``
        honoured; one the type engine could only pickle, or not convert at all, as the hash of its pickle."""
        try:
            hints = typing.get_type_hints(function, include_extras=True)
        except Exception:  # noqa: BLE001 - annotations that do not resolve: the values' types will do
            hints = {}
        ctx = self._scratch_context()
        return LiteralMap(
            {name: _literal(ctx, value, hints.get(name, type(value))) for name, value in arguments.items()}
        )

    def replay(self, call: TraceCall) -> Any:
        """What an earlier attempt recorded for ``call``: its output, or its error raised again."""
        previous = call.previous
        if previous is None:
            raise AssertionError(f"no earlier call of {call.function} to reuse")
        self._add(replace(previous, reused=True))
        if previous.error is not None:
            raise previous.error
        return previous.output

    def end(self, call: TraceCall, output: Any = None, error: Optional[BaseException] = None) -> Optional[TraceRecord]:
        """Record the end of ``call``; returns the record to keep for later attempts, if any."""
        record = TraceRecord(call.function, call.inputs, call.started, time.time() - call.started, output, error)
        self._add(record)
        return record if self._store is not None and record.replayable else None

    def keep(self, call: TraceCall, record: Optional[TraceRecord]) -> None:
        """Save ``record`` (from :meth:`end`) for later attempts; blocking, so async callers use a thread."""
        if record is None or self._store is None:
            return
        try:
            self._store.save(call.key, record)
        except Exception as error:  # noqa: BLE001 - an unpicklable value only costs the reuse, not the run
            logger.warning(f"Trace of {call.function} not kept for later attempts: {type(error).__name__}: {error}")

    def _add(self, record: TraceRecord) -> None:
        with self._lock:
            self.records.append(record)

    def render_html(self) -> str:
        """The recorded calls, in the order they ended, for the eager task's deck."""
        with self._lock:
            records = list(self.records)
        rows = "".join(
            f"<tr><td>{html.escape(r.function)}</td><td>{html.escape(_shown(r.inputs))}</td>"
            f"<td>{'error' if r.error is not None else 'ok'}</td><td>{html.escape(_shown(r.outcome))}</td>"
            f"<td>{r.duration * 1000:.1f}</td><td>{'yes' if r.reused else ''}</td></tr>"
            for r in records
        )
        return (
            "<h2>Traced calls</h2><table><tr><th>Function</th><th>Inputs</th><th>Result</th><th>Output or error</th>"
            f"<th>Duration (ms)</th><th>Reused from an earlier attempt</th></tr>{rows}</table>"
        )


def _arguments(signature: Optional[inspect.Signature], args: Any, kwargs: Any) -> Dict[str, Any]:
    """A call's arguments by parameter name, defaults applied (by position and name if the signature is unknown)."""
    if signature is not None:
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError:
            pass
        else:
            bound.apply_defaults()
            return dict(bound.arguments)
    return {**{f"{position}": value for position, value in enumerate(args)}, **kwargs}


def _literal(ctx: FlyteContext, value: Any, python_type: Any) -> Literal:
    try:
        if not isinstance(TypeEngine.get_transformer(python_type), FlytePickleTransformer):
            return Converter(python_type, TypeEngine.to_literal_type(python_type)).to_literal(ctx, value)
    except Exception:  # noqa: BLE001 - not convertible as annotated (or at all): its pickle stands for it
        pass
    try:
        return Literal(hash=hashlib.sha256(cloudpickle.dumps(value)).hexdigest())
    except Exception as error:  # noqa: BLE001 - not even picklable: the call gets a key of its own, never reused
        logger.debug(f"Trace input of type {type(value).__name__} has no stable hash ({error}); not reused")
        return Literal(hash=uuid.uuid4().hex)
