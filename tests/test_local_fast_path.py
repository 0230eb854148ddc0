"""What the fast local path keeps from flytekit (sandbox, checkpoints, the dependency list) and what it avoids."""

import os
import sys
from importlib import metadata

import flytekit

import flytekit_ext
from flytekit_ext._runtime.decks import installed_distributions


def test_dependencies_deck_lists_what_importlib_metadata_lists():
    ours = {name.lower(): version for name, version in installed_distributions(tuple(sys.path))}
    theirs = {d.metadata["Name"].lower(): d.version for d in metadata.distributions() if d.metadata["Name"]}
    assert ours.keys() == theirs.keys()
    assert ours["flytekit"] == metadata.version("flytekit")


def test_sandbox_is_made_only_when_the_task_asks_for_it():
    seen = {}

    @flytekit_ext.task
    def no_sandbox(x: int) -> int:
        return x

    @flytekit_ext.task
    def uses_sandbox(x: int) -> str:
        directory = flytekit.current_context().working_directory
        seen["dir"] = directory
        with open(os.path.join(directory, "scratch.txt"), "w") as out:
            out.write(str(x))
        return directory

    root = flytekit.current_context().working_directory
    before = set(os.listdir(os.path.dirname(str(root)) or "."))
    no_sandbox(x=1)
    assert set(os.listdir(os.path.dirname(str(root)) or ".")) == before

    first, second = uses_sandbox(x=1), uses_sandbox(x=2)
    assert first != second  # each call gets its own folder, as in flytekit
    assert os.path.isdir(first) and os.path.exists(os.path.join(first, "scratch.txt"))


def checkpoints(x: int) -> str:
    checkpoint = flytekit.current_context().checkpoint
    checkpoint.write(b"progress")
    return f"{checkpoint.read()!r} {sorted(os.listdir(checkpoint._checkpoint_dest))}"


def test_checkpoint_is_available_lazily_and_behaves_as_in_flytekit():
    assert flytekit_ext.task(checkpoints)(x=1) == flytekit.task(checkpoints)(x=1)
