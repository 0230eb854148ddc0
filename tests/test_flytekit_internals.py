"""Each reliance of flytekit_ext on flytekit's internals, exercised against the installed flytekit.

``flytekit_ext/_flytekit_internals.py`` is the only module that touches flytekit's private names; each test here
breaks if flytekit changes the thing one of its functions relies on, and says which.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
import typing

import flytekit
import pytest
from flyteidl.core.workflow_pb2 import ArrayNode
from flytekit import ImageSpec, map_task
from flytekit.core.array_node_map_task import ArrayNodeMapTask
from flytekit.core.context_manager import ExecutionState, FlyteContextManager
from flytekit.deck import Deck

import flytekit_ext
from flytekit_ext import _flytekit_internals as internals
from flytekit_ext._core.contexts import current_context, entered


def _params():
    return current_context().user_space_params


def test_every_reliance_holds_for_the_installed_flytekit():
    internals.check()
    assert all(reliance.present() for reliance in internals.RELIANCES)


def test_a_flytekit_without_a_reliance_fails_the_check_naming_it_and_the_version():
    gone = internals.Reliance("flytekit.core.something_private", "what it is for", lambda: False)
    broken = internals.Reliance("a check that cannot run", "what that is for", lambda: 1 / 0)
    with pytest.raises(internals.UnsupportedFlytekit) as raised:
        internals.check((*internals.RELIANCES, gone, broken))
    message = str(raised.value)
    assert f"flytekit {flytekit.__version__}" in message
    assert "something_private: what it is for" in message and "a check that cannot run" in message
    assert isinstance(raised.value, ImportError)


def test_the_context_stack_is_flytekits():
    ctx = internals.replaced(current_context(), in_a_condition=True)
    before = internals.CONTEXT_STACK.get()
    with entered(ctx):
        assert FlyteContextManager.current_context() is ctx
        assert internals.CONTEXT_STACK.get() is not before  # a stack of its own, the caller's left as it was
    assert FlyteContextManager.current_context() is not ctx and internals.CONTEXT_STACK.get() is before


def test_compiling_is_told_by_the_compilation_state():
    seen = []

    @flytekit.workflow
    def wf() -> None:
        seen.append(internals.is_compiling(current_context()))

    wf.compile()
    assert seen == [True] and not internals.is_compiling(current_context())


def test_replaced_copies_without_constructors_and_leaves_the_original(monkeypatch):
    state = current_context().new_execution_state()

    def no_constructor(*args, **kwargs):
        raise AssertionError("ExecutionState's constructor makes a folder on disk: replaced must not call it")

    monkeypatch.setattr(ExecutionState, "__init__", no_constructor)
    copy = internals.replaced(state, mode=ExecutionState.Mode.LOCAL_TASK_EXECUTION)
    assert copy.mode is ExecutionState.Mode.LOCAL_TASK_EXECUTION and state.mode is None
    assert copy.working_dir == state.working_dir
    ctx = current_context()
    assert internals.replaced(ctx, execution_state=copy).execution_state is copy and ctx.execution_state is not copy


def test_decks_enabled_on_a_copy_sharing_the_decks_list():
    params = _params()
    enabled = internals.with_decks_enabled(params)
    assert enabled.enable_deck is True and enabled.decks is params.decks
    internals.clear_decks(enabled)
    assert enabled.decks == []


def test_a_lazy_sandbox_is_made_when_first_read(tmp_path):
    params = _params()
    lazy = internals.lazy_sandbox(params, None, keep_timeline=False)
    assert internals.written_checkpoint(lazy) is None  # nothing made yet
    working = lazy.working_directory
    assert os.path.isdir(working) and os.path.isdir(os.path.join(working, "__cp"))
    lazy.checkpoint.write(b"progress")
    written = internals.written_checkpoint(lazy)
    assert written is not None and os.listdir(written)
    retried = internals.lazy_sandbox(lazy, written, keep_timeline=True)
    assert retried.checkpoint.read() == b"progress"  # the next attempt reads what the failed one wrote
    assert retried.working_directory != working


def test_a_new_call_starts_without_a_remembered_timeline():
    params = internals.lazy_sandbox(_params(), None, keep_timeline=True)
    internals.clear_decks(params)  # a timeline among the decks would be found first
    remembered = params.timeline_deck
    assert internals.lazy_sandbox(params, None, keep_timeline=True).timeline_deck is remembered
    assert internals.lazy_sandbox(params, None, keep_timeline=False).timeline_deck is not remembered


def test_io_decks_are_written_as_flytekits():
    params = internals.with_decks_enabled(internals.lazy_sandbox(_params(), None, keep_timeline=False))
    internals.clear_decks(params)
    ctx = internals.replaced(
        current_context(),
        execution_state=internals.replaced(current_context().new_execution_state(), user_space_params=params),
    )
    with entered(ctx):
        internals.write_io_decks(with_decks, {"x": 1}, {"o0": 2}, ctx, params)
        assert {deck.name for deck in params.decks} >= {"Input", "Output"}
        assert all(isinstance(deck, Deck) for deck in params.decks)


@flytekit_ext.task
def flytekit_ext_task(x: int) -> int:
    return x + 1


@flytekit_ext.task(enable_deck=True)
def with_decks(x: int) -> int:
    return x + 1


def test_the_eager_failure_handler_is_loaded_by_flytekit_exts_resolver():
    handler = flytekit_ext.EagerFailureHandlerTask(name="cleanup")
    assert handler.task_resolver is flytekit_ext.eager_failure_task_resolver
    assert handler.task_resolver.location == "flytekit_ext.eager_failure_task_resolver"


@pytest.mark.parametrize("name", ["e-Some_Task.name-abc", "x" * 100, "UPPER lower"])
def test_dns_labels(name):
    label = internals.dns_label(name)
    assert len(label) <= 63 and label == label.lower() and all(c.isalnum() or c == "-" for c in label)


def test_force_push_is_carried_over():
    given = ImageSpec(name="x", registry="example.com").force_push()
    extended = ImageSpec(name="x", registry="example.com", packages=["a"])
    internals.keep_force_push(given, extended)
    assert extended._is_force_push is True


def test_map_task_of_a_plain_flytekit_ext_task_is_in_minimal_state_and_the_patch_is_installed_once():
    assert map_task(flytekit_ext_task).execution_mode == ArrayNode.MINIMAL_STATE
    installed = ArrayNodeMapTask.__dict__["execution_mode"]
    internals.map_tasks_of_plain_classes_in_minimal_state(flytekit_ext._tasks.STANDS_FOR_FLYTEKITS_PLAIN)
    assert ArrayNodeMapTask.__dict__["execution_mode"] is installed  # not wrapped twice


def test_a_flytekit_whose_map_task_decides_elsewhere_is_refused_loudly():
    class ChangedMapTask:
        """flytekit's map task as a release that no longer exposes its state through a property would have it."""

        execution_mode = ArrayNode.FULL_STATE

    with pytest.raises(internals.UnsupportedFlytekit, match="ChangedMapTask.execution_mode is no longer a property"):
        internals.map_tasks_of_plain_classes_in_minimal_state((), ChangedMapTask)
    assert ChangedMapTask.execution_mode == ArrayNode.FULL_STATE  # left as it was


def test_flytekits_sigint_handler_is_recognised():
    code = textwrap.dedent(
        """
        import signal
        from flytekit import FlyteContextManager
        from flytekit_ext._flytekit_internals import flytekits_sigint_callbacks
        FlyteContextManager.current_context()  # flytekit installs its handler on the main thread
        seen = []
        FlyteContextManager.add_signal_handler(lambda *_: seen.append(1))
        callbacks = flytekits_sigint_callbacks(signal.getsignal(signal.SIGINT))
        assert callbacks is not None and len(callbacks) >= 1, callbacks
        assert flytekits_sigint_callbacks(signal.default_int_handler) is None
        print("ok")
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "ok", done.stderr


def test_a_task_that_only_raises_is_accepted_and_raises_when_it_runs():
    @flytekit_ext.task
    def only_raises(x: int) -> int:
        raise ValueError(f"no {x}")

    with pytest.raises(ValueError, match="no 1"):
        only_raises(x=1)


def test_callable_inputs_of_flytekit_ext_tasks_bring_no_pickle_warning(caplog):
    with caplog.at_level(logging.WARNING):

        @flytekit_ext.task
        def applies(fn: typing.Callable[[int], int], x: int) -> int:
            return fn(x)

    assert not [r for r in caplog.records if "PickleFile" in r.getMessage()]
    assert applies(fn=abs, x=-2) == 2


PLAIN_TASK_INTERFACE = textwrap.dedent(
    """
    import sys, typing
    from flytekit import task
    if sys.argv[1] == "with":
        import flytekit_ext  # noqa: F401

    @task
    def plain(fn: typing.Callable[[int], int], xs: typing.List[int]) -> typing.Callable[[int], int]:
        return fn

    with open(sys.argv[2], "wb") as out:  # not stdout: flytekit's logger writes there
        out.write(plain.interface.to_flyte_idl().SerializeToString(deterministic=True))
    """
)


def test_a_plain_flytekit_tasks_interface_is_the_same_with_and_without_flytekit_ext(tmp_path):
    script = tmp_path / "plain.py"
    script.write_text(PLAIN_TASK_INTERFACE)
    written = {}
    for which in ("without", "with"):
        out = tmp_path / which
        done = subprocess.run(
            [sys.executable, str(script), which, str(out)], capture_output=True, timeout=120, cwd=tmp_path
        )
        assert done.returncode == 0, done.stderr
        written[which] = out.read_bytes()
    assert written["without"] and written["with"] == written["without"]
