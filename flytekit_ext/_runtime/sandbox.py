"""Execution parameters for a local call or retry, whose sandbox folders exist only once the task reads them.

flytekit gives every local task call a fresh working directory and checkpoint folder, made eagerly with
``mkdtemp`` and ``mkdir``. Most tasks never look at either, so here they are made on first access.

A local retry runs as a cluster runs one, in a new pod: with a sandbox of its own, and with the checkpoint the
failed attempt wrote as the one to read (what ``pyflyte-execute --prev-checkpoint`` gives a retried pod).
"""

from __future__ import annotations

from flytekit.core.context_manager import ExecutionParameters

from flytekit_ext._flytekit_internals import clear_decks, lazy_sandbox, written_checkpoint


def for_next_attempt(params: ExecutionParameters) -> ExecutionParameters:
    """Parameters for the next local attempt of a run whose attempt with ``params`` failed.

    The same execution, decks and timeline; a sandbox of its own, whose checkpoint reads what the failed
    attempt wrote, so a task that resumes from its checkpoint resumes locally as it would on a cluster.
    """
    return lazy_sandbox(params, written_checkpoint(params), keep_timeline=True)


def for_task_call(parent: ExecutionParameters, starts_execution: bool) -> ExecutionParameters:
    """Parameters for one local task call: the parent's, with a lazy sandbox of the call's own.

    Decks follow flytekit's contract: a call made inside an execution adds its decks (its timeline among
    them) to that execution's list. A call that starts a new local execution first empties the list of the
    parameters it inherits, which are the caller's own object, so afterwards the caller reads exactly this
    call's decks in its context, as it would with flytekit.
    """
    if starts_execution:
        clear_decks(parent)
    # No timeline deck remembered from the parent's runs, as flytekit's parameters for a new call have none (a
    # timeline the call is part of is found among the shared decks).
    return lazy_sandbox(parent, None, keep_timeline=False)
