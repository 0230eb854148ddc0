"""How an eager run names what it starts: child executions, and the keys of traced calls.

Both are derived from the *literals* of the inputs, hashed the way flytekit hashes a task's inputs for its cache
key: a literal that carries a hash (an input annotated with flytekit's ``HashMethod``) counts by that hash, every
other literal by its deterministic protobuf serialization. The same inputs give the same name on every attempt of
the parent; different inputs give different names, however their ``repr`` prints. A value that travels as an
upload (a file, a DataFrame, a pickled object) is uploaded afresh by each attempt to a new location, so without a
``HashMethod`` it gets a new name each attempt, as Flyte's cache misses it.
"""

from __future__ import annotations

import hashlib
from typing import Optional

from flytekit.models.literals import LiteralMap

from flytekit_ext._core.naming import group_label
from flytekit_ext._flytekit_internals import dns_label, hash_placed

#: Hex digits of the hash in a child execution's name.
_NAME_HASH = 12
#: A relaunched child's name is its first name (cut to this length) and ``-r<n>``; Flyte allows 63 characters.
_RELAUNCH_BASE = 59


def inputs_digest(inputs: LiteralMap) -> str:
    """A hex digest of a call's input literals, as flytekit's cache key hashes them (``HashMethod`` honoured).

    Each literal is replaced by its hash where it carries one (flytekit's own placement), and the result hashed
    in its deterministic serialization; flytekit's cache key hashes that same serialization (with joblib).
    """
    placed = LiteralMap({name: hash_placed(literal) for name, literal in inputs.literals.items()})
    return hashlib.sha256(placed.to_flyte_idl().SerializeToString(deterministic=True)).hexdigest()


def exec_prefix(task_short_name: str, parent: str) -> str:
    """The prefix of the children's names of eager task ``task_short_name`` running as execution ``parent``."""
    return dns_label(f"e-{task_short_name[:8]}-{parent[:5]}")


def child_name(prefix: str, parent: str, group: Optional[str], short_name: str, index: int, digest: str) -> str:
    """The execution name of the ``index``-th call (from 0) of ``short_name`` in ``group``, with inputs ``digest``.

    ``e-<parent task>-<parent id>-[<group>-]<short name>-<hash>``: the hash covers the whole parent id, the group,
    the short name, the index and the inputs' digest; the rest is there for people reading a list of executions.
    """
    key = "|".join((parent, "" if group is None else f"group:{group}", short_name, str(index), digest))
    hashed = hashlib.sha256(key.encode()).hexdigest()[:_NAME_HASH]
    in_group = "" if group is None else f"{group_label(group)[:12]}-"
    return dns_label(f"{prefix}-{in_group}{short_name[:16]}-{hashed}")


def relaunched_name(name: str, relaunch: int) -> str:
    """The name of the ``relaunch``-th new execution of a call whose execution ``name`` was aborted before."""
    return f"{name[:_RELAUNCH_BASE].rstrip('-')}-r{relaunch}"


def trace_key(function: str, digest: str, seq: int) -> str:
    """The key of the ``seq``-th call (from 1) of traced ``function`` with inputs ``digest`` in one eager run."""
    return hashlib.sha256(f"{function}|{digest}|{seq}".encode()).hexdigest()[:32]
