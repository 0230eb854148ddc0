"""Tuples and NamedTuples as inputs and inside outputs."""

from dataclasses import dataclass
from typing import List, Literal, NamedTuple, Optional, Tuple, TypedDict

from pydantic import BaseModel
from typing_extensions import NotRequired

import flytekit_ext.flyte as flyte

env = flyte.TaskEnvironment(name="tuples")


@dataclass
class Point:
    x: float
    y: float


class Reading(NamedTuple):
    sensor: str
    value: float
    where: Point
    unit: str = "C"


@env.task
def make_pair() -> Tuple[Tuple[int, int], str]:
    return (1, 2), "pair"


@env.task
def add_pair(pair: tuple[int, int], label: str) -> str:
    return f"{label}: {pair[0] + pair[1]} ({type(pair).__name__})"


@env.task
def read() -> Reading:
    return Reading("t1", 21.5, Point(0.0, 1.0))


@env.task
def describe(reading: Reading, extra: Optional[List[tuple[str, int]]] = None) -> str:
    return f"{type(reading).__name__} {reading.sensor}={reading.value}{reading.unit} at {reading.where} {extra}"


@env.task
async def pipeline() -> Tuple[str, str, List[tuple[str, int]]]:
    pair, label = await make_pair.aio()
    sensor, value, where, unit = await read.aio()
    described = await describe.aio(Reading(sensor, value, where, unit), extra=[("a", 1), ("b", 2)])
    return await add_pair.aio(pair, label), described, [("x", 1)]


class Place(TypedDict):
    name: str
    where: Point


class Settings(BaseModel):
    depth: int
    label: str = "none"


@env.task
def describe_place(place: Place, kind: Literal["city", 3]) -> str:
    return f"{place['name']} at {place['where']} ({kind})"


@env.task
def make_place(name: str) -> Place:
    return Place(name=name, where=Point(1.0, 2.0))


@env.task
def configured(settings: Settings, point: Point) -> str:
    return f"{settings.depth}/{settings.label} {point}"


@env.task
def untyped(value, times: int = 2):
    # No annotations on `value` nor on the return: Flyte 2 pickles the one and has no output for the other.
    print(value * times)


class Node(TypedDict):
    label: str
    children: NotRequired[List["Node"]]


@env.task
def depth(tree: Node) -> int:
    return 1 + max((depth.forward(child) for child in tree.get("children", [])), default=0)


@env.task
def leaf(label: str) -> Node:
    return Node(label=label)


@env.task
async def regrouped(rows: list, key: str) -> list:
    # Bare `list` annotations: flytekit refuses them; Flyte 2 pickles the values.
    return sorted({row[key] for row in rows})


@env.task
def counted(rows: List) -> int:
    return len(rows)
