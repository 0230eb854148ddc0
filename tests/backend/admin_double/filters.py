"""Parsing and evaluation of FlyteAdmin list filters, sorting and page tokens.

FlyteAdmin receives filters as one string, e.g.::

    value_in(execution_tag.key,eager-exec)+value_in(execution_tag.value,abc)+value_in(phase,QUEUED;RUNNING)

Each ``op(key,value)`` term is ANDed. Set operators (``value_in``, ``value_not_in``, ``contains``) take ``;``
separated values. ``execution_tag.key`` / ``execution_tag.value`` terms are evaluated the way Admin's SQL join on
its ``execution_tags`` table does: one and the same label (key, value) pair must satisfy all of them.
"""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass
from typing import Callable, Iterable, List, Optional, Sequence, Tuple, TypeVar

from .errors import invalid_argument

_TERM = re.compile(r"^\s*([a-z_]+)\((.+?),(.*)\)\s*$", re.DOTALL)
_SET_OPS = {"value_in", "value_not_in", "contains"}
_ALL_OPS = {"eq", "ne", "gt", "gte", "lt", "lte"} | _SET_OPS
TAG_PREFIX = "execution_tag."

T = TypeVar("T")


@dataclass(frozen=True)
class Filter:
    op: str
    key: str
    values: Tuple[str, ...]

    @property
    def is_tag_filter(self) -> bool:
        return self.key.startswith(TAG_PREFIX)


def parse_filters(text: str) -> List[Filter]:
    """Parse Admin's filter string; raise INVALID_ARGUMENT on anything malformed."""
    if not text or not text.strip():
        return []
    filters = []
    for term in text.split("+"):
        m = _TERM.match(term)
        if not m:
            raise invalid_argument(f"malformed filter term {term!r}")
        op, key, value = m.group(1), m.group(2).strip(), m.group(3).strip()
        if op not in _ALL_OPS:
            raise invalid_argument(f"unsupported filter operator {op!r} in {term!r}")
        values = tuple(v.strip() for v in value.split(";")) if op in _SET_OPS else (value,)
        filters.append(Filter(op=op, key=key, values=values))
    return filters


def _to_comparable(value):
    """Timestamps compare as datetimes, everything else as strings."""
    if isinstance(value, datetime.datetime):
        return value
    return str(value)


@functools.lru_cache(maxsize=1024)
def _wanted(values: Tuple[str, ...], as_time: bool) -> tuple:
    """A filter's values parsed once (timestamps as datetimes), not once per execution it is checked against."""
    if not as_time:
        return values
    parsed = []
    for text in values:
        try:
            value = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError as e:
            raise invalid_argument(f"cannot parse timestamp {text!r}") from e
        parsed.append(value if value.tzinfo is not None else value.replace(tzinfo=datetime.timezone.utc))
    return tuple(parsed)


def term_matches(f: Filter, actual) -> bool:
    """Evaluate one filter term against the actual value of its key (None: the field is absent)."""
    if actual is None:
        return f.op in ("ne", "value_not_in")
    actual = _to_comparable(actual)
    wanted = _wanted(f.values, isinstance(actual, datetime.datetime))
    if f.op in ("eq", "value_in"):
        return actual in wanted
    if f.op in ("ne", "value_not_in"):
        return actual not in wanted
    if f.op == "contains":
        return any(str(w) in str(actual) for w in wanted)
    w = wanted[0]
    return {"gt": actual > w, "gte": actual >= w, "lt": actual < w, "lte": actual <= w}[f.op]


def tag_value(filters: Sequence[Filter], key: str) -> Optional[str]:
    """The value label ``key`` must have for an execution to pass ``filters``, if they say one.

    True when a tag filter requires the key ``key`` and another one value: one and the same label must satisfy
    both, so that label is ``key`` with that value.
    """
    keys = [f for f in filters if f.key == TAG_PREFIX + "key" and f.op in ("eq", "value_in") and f.values == (key,)]
    values = [f for f in filters if f.key == TAG_PREFIX + "value" and f.op in ("eq", "value_in") and len(f.values) == 1]
    return values[0].values[0] if keys and values else None


def matches(
    filters: Sequence[Filter],
    field: Callable[[str], object],
    tags: Optional[Iterable[Tuple[str, str]]] = None,
) -> bool:
    """True if an object passes all filters.

    ``field(key)`` returns the object's value for a (non-tag) key, or raises AdminError for an unknown key.
    ``tags`` are the object's (key, value) label pairs, used by ``execution_tag.*`` filters.
    """
    plain = [f for f in filters if not f.is_tag_filter]
    tag_filters = [f for f in filters if f.is_tag_filter]
    for f in plain:
        if not term_matches(f, field(f.key)):
            return False
    if tag_filters:
        pairs = list(tags or [])

        def pair_ok(pair: Tuple[str, str]) -> bool:
            for f in tag_filters:
                part = f.key[len(TAG_PREFIX) :]
                if part not in ("key", "value"):
                    raise invalid_argument(f"unsupported filter key {f.key!r}")
                if not term_matches(f, pair[0] if part == "key" else pair[1]):
                    return False
            return True

        if not any(pair_ok(p) for p in pairs):
            return False
    return True


def sort_and_page(
    items: List[T],
    sort_key: Optional[str],
    descending: bool,
    field: Callable[[T, str], object],
    limit: int,
    token: str,
) -> Tuple[List[T], str]:
    """Sort (default: created_at, newest first), then cut one page; returns (page, next token or '')."""
    key = sort_key or "created_at"
    items = sorted(items, key=lambda it: _sort_value(field(it, key)), reverse=descending)
    try:
        offset = int(token) if token else 0
    except ValueError as e:
        raise invalid_argument(f"invalid page token {token!r}") from e
    limit = limit if limit and limit > 0 else 100
    page = items[offset : offset + limit]
    next_token = str(offset + limit) if offset + limit < len(items) else ""
    return page, next_token


def _sort_value(v):
    if isinstance(v, datetime.datetime):
        return (0, v.timestamp(), "")
    return (1, 0.0, "" if v is None else str(v))
