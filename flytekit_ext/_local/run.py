"""A local task call from start to finish: inputs to literals, the local cache, dispatch, outputs back.

:func:`run_local` is the synchronous call and :func:`run_local_async` the same on an event loop; both
return the output literal map, and :func:`native_result` turns it into what a Python call returns
(:func:`native_call_async` does both for an awaited call).
"""

from __future__ import annotations

from contextvars import Token
from typing import Any, Dict, Optional

from flytekit.configuration import LocalConfig
from flytekit.core.context_manager import FlyteContext
from flytekit.core.local_cache import LocalTaskCache
from flytekit.core.promise import VoidPromise
from flytekit.loggers import logger
from flytekit.models.literals import LiteralMap

from flytekit_ext._core import enclosing
from flytekit_ext._core.contexts import enter, leave
from flytekit_ext._core.loops import in_worker_thread
from flytekit_ext._local.call_context import call_contexts
from flytekit_ext._runtime import literals, local_data
from flytekit_ext._runtime.dispatch import Outputs, dispatch, dispatch_async
from flytekit_ext._runtime.failures import FailurePolicy, through_plugin_hook
from flytekit_ext._runtime.task import RunnableTask


def _cache_config() -> Optional[LocalConfig]:
    """The local cache settings, read once per call of a task whose outputs may be cached."""
    config = LocalConfig.auto()
    return config if config.cache_enabled else None


def _cached_outputs(task: Any, inputs: LiteralMap, config: LocalConfig) -> Optional[LiteralMap]:
    if config.cache_overwrite:
        logger.info("Cache overwrite, task will be executed now")
        return None
    found = LocalTaskCache.get(task.name, task.metadata.cache_version, inputs, task.metadata.cache_ignore_input_vars)
    logger.info(f"Cache {'hit' if found is not None else 'miss'} for task named {task.name}")
    return found


def _checked(task: Any, outputs: Outputs) -> LiteralMap:
    if type(outputs) is not LiteralMap and not isinstance(outputs, LiteralMap):  # the first test is the quick one
        raise AssertionError(f"Task '{task.name}' produced {type(outputs).__name__} in a local run, not outputs")
    return outputs


def _finished(
    ctx: FlyteContext, task: Any, inputs: LiteralMap, outputs: Outputs, cache: Optional[LocalConfig]
) -> LiteralMap:
    """A dispatched call's output literals, written to the local cache when the call uses it."""
    return _checked(task, outputs) if cache is None else _remember_outputs(ctx, task, inputs, outputs)


def _remember_outputs(ctx: FlyteContext, task: Any, inputs: LiteralMap, outputs: Outputs) -> LiteralMap:
    """Write the outputs to the local cache, dataframes kept in memory as files (the cache outlives the process)."""
    checked = _checked(task, outputs)
    written = LiteralMap({name: local_data.materialized(ctx, literal) for name, literal in checked.literals.items()})
    metadata = task.metadata
    LocalTaskCache.set(task.name, metadata.cache_version, inputs, metadata.cache_ignore_input_vars, written)
    return checked


def run_local(
    task: RunnableTask, ctx: FlyteContext, values: Dict[str, Any], policy: Optional[FailurePolicy] = None
) -> LiteralMap:
    """Run ``task`` here on ``values`` (native values or promises); returns its output literal map.

    ``policy`` says how failures of the body are retried and raised (by default as the task's metadata says).
    """
    # As in flytekit, the call's own context is current from the start: while its inputs are converted (so decks
    # a transformer writes belong to this call), and while its body runs. A call that starts a new local
    # execution empties the decks it inherits. Entering the context gives the call its own copy of flytekit's
    # context stack (see _runtime.context).
    child, converting = call_contexts(task, ctx)
    token = enter(child)
    try:
        converters = task.converters
        inputs = literals.inputs_to_literals(converting, task, values, converters.inputs, local=True)
        cache = _cache_config() if task.metadata.cache else None
        if cache is not None:
            cached = _cached_outputs(task, inputs, cache)
            if cached is not None:
                return cached
        return _finished(child, task, inputs, _dispatched(task, child, inputs, policy), cache)
    finally:
        leave(token)


def _entered_body() -> Optional[Token[enclosing.Enclosing]]:
    """Before a call's body runs: in a group or an eager run, it runs outside them. The token to leave with."""
    outer = enclosing.current()
    body = outer.for_task_body()
    return None if body is outer else enclosing.enter(body)


def _left_body(token: Optional[Token[enclosing.Enclosing]]) -> None:
    if token is not None:
        enclosing.leave(token)


def _dispatched(
    task: RunnableTask, child: FlyteContext, inputs: LiteralMap, policy: Optional[FailurePolicy]
) -> Outputs:
    """The call's outputs, run in ``child`` (already current): by a plugin's own dispatch, or by ours."""
    token = _entered_body()
    try:
        if task.dispatches_itself:
            return _plugin_dispatch(task, child, inputs, policy)
        return dispatch(task, child, inputs, policy, entered_by_caller=True)
    finally:
        _left_body(token)


def _plugin_dispatch(
    task: RunnableTask, child: FlyteContext, inputs: LiteralMap, policy: Optional[FailurePolicy]
) -> Outputs:
    """A plugin's own ``dispatch_execute``, which runs the body as the plugin says, with the call's policy."""
    with through_plugin_hook(task, policy):
        return task.dispatch_execute(child, inputs)


def run_call(
    task: RunnableTask, ctx: FlyteContext, values: Dict[str, Any], policy: Optional[FailurePolicy] = None
) -> LiteralMap:
    """A local call's output literals: :func:`run_local`, or through a plugin's ``local_execute`` that wraps it."""
    if task.wraps_local_execute:
        with through_plugin_hook(task, policy):
            return _literals_of(task.local_execute(ctx, **values))
    return run_local(task, ctx, values, policy)


def _literals_of(outputs: Any) -> LiteralMap:
    """The output literals held by what ``local_execute`` returns: promises, a void promise, or ``None``."""
    if outputs is None or isinstance(outputs, VoidPromise):
        return LiteralMap(literals={})
    promises = outputs if isinstance(outputs, tuple) else (outputs,)
    return LiteralMap(literals={promise.var: promise.val for promise in promises})


async def run_local_async(
    task: RunnableTask, ctx: FlyteContext, values: Dict[str, Any], policy: Optional[FailurePolicy] = None
) -> LiteralMap:
    """:func:`run_local` for a task whose body is awaited on the running loop.

    A plugin's own ``local_execute`` or ``dispatch_execute`` is synchronous: such a call runs as
    :func:`run_call`, on a worker thread.
    """
    if task.wraps_local_execute or task.dispatches_itself:
        return await in_worker_thread(run_call, task, ctx, values, policy)
    child, converting = call_contexts(task, ctx)
    token = enter(child)  # as in run_local: the inputs are converted with the call's own context current
    try:
        converters = task.converters
        # Promises among the values (a local workflow's) are resolved inline: a lookup, quick as converting them.
        if converters.inputs.needs_loop:
            inputs = await in_worker_thread(
                literals.inputs_to_literals, converting, task, values, converters.inputs, True
            )
        else:
            inputs = literals.inputs_to_literals(converting, task, values, converters.inputs, local=True)
        cache = _cache_config() if task.metadata.cache else None
        if cache is not None:
            cached = _cached_outputs(task, inputs, cache)
            if cached is not None:
                return cached
        body_token = _entered_body()
        try:
            outputs = await dispatch_async(task, child, inputs, policy, entered_by_caller=True)
        finally:
            _left_body(body_token)
        return _finished(child, task, inputs, outputs, cache)
    finally:
        leave(token)


def native_result(task: Any, ctx: FlyteContext, outputs: LiteralMap) -> Any:
    """What a Python call returns for these output literals: ``None``, a value, or a named tuple."""
    return literals.call_result(ctx, outputs, literals.TaskConverters.of(task))


async def native_call_async(
    task: RunnableTask, ctx: FlyteContext, values: Dict[str, Any], policy: Optional[FailurePolicy] = None
) -> Any:
    """What awaiting a call of ``task`` returns: :func:`run_local_async`'s outputs as native values."""
    outputs = await run_local_async(task, ctx, values, policy)
    if task.converters.outputs.needs_loop:
        return await in_worker_thread(native_result, task, ctx, outputs)
    return native_result(task, ctx, outputs)
