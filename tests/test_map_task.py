"""flytekit's own ``map_task`` over flytekit_ext tasks: the ArrayNode flytekit makes for the same flytekit tasks.

flytekit maps its exact ``PythonFunctionTask`` and ``PythonInstanceTask`` (and partials of them) in the lighter
``MINIMAL_STATE`` and everything else in ``FULL_STATE``; flytekit_ext's classes of those names stand for
flytekit's, its other classes and every subclass do not (``flytekit_ext._flytekit_internals``).
"""

import functools
import typing
from collections import OrderedDict

import pytest
from flyteidl.core.workflow_pb2 import ArrayNode
from flytekit import map_task, workflow
from flytekit.configuration import ImageConfig, SerializationSettings
from flytekit.core.workflow import ImperativeWorkflow
from flytekit.tools.translator import get_serializable

import flytekit_ext
from tests.twins import FLYTEKIT, FLYTEKIT_EXT, load_twin

theirs = load_twin("map_task_bodies.py", "map_bodies_flytekit", FLYTEKIT)
ours = load_twin("map_task_bodies.py", "map_bodies_ext", FLYTEKIT_EXT)

MINIMAL, FULL = ArrayNode.MINIMAL_STATE, ArrayNode.FULL_STATE

# what is mapped, from one twin module; the state flytekit gives it
CASES = {
    "function task": (lambda m: m.add, MINIMAL),
    "partial of a function task": (lambda m: functools.partial(m.add, y=1), MINIMAL),
    "instance task": (lambda m: m.plain_adder, MINIMAL),
    "async function task": (lambda m: m.async_add, FULL),
    "subclass of the instance task class": (lambda m: m.adder, FULL),
    "subclass of the function task class": (lambda m: m.authors_add, FULL),
}


@pytest.mark.parametrize("case", CASES)
def test_map_task_gives_the_state_flytekit_gives_the_same_flytekit_task(case):
    target, expected = CASES[case]
    assert map_task(target(theirs)).execution_mode == expected  # flytekit's own answer, as this test knows it
    assert map_task(target(ours)).execution_mode == expected


SETTINGS = SerializationSettings(image_config=ImageConfig.auto_default_image(), project="p", domain="d", version="v")
_THEIR_RESOLVER = "flytekit.core.python_auto_container.default_task_resolver"


def _serialized(module, target) -> str:
    """A workflow of one map_task node over ``target``, serialized: the workflow and every entity in it."""
    mapped = map_task(target(module))
    wf = ImperativeWorkflow(name="mapping")
    for name, python_type in mapped.python_interface.inputs.items():
        wf.add_workflow_input(name, python_type)
    node = wf.add_entity(mapped, **{name: wf.inputs[name] for name in mapped.python_interface.inputs})
    wf.add_workflow_output("o0", node.outputs["o0"])
    entities: OrderedDict = OrderedDict()
    get_serializable(entities, SETTINGS, wf)
    text = "\n".join(str(spec.to_flyte_idl()) for spec in entities.values())
    return text.replace(module.__name__, "<module>")


@pytest.mark.parametrize("case", CASES)
def test_map_task_serializes_like_flytekit_except_the_resolver(case):
    target, _ = CASES[case]
    mine = _serialized(ours, target)
    assert "flytekit_ext.resolver.default_task_resolver" in mine
    assert mine.replace("flytekit_ext.resolver.default_task_resolver", _THEIR_RESOLVER) == _serialized(theirs, target)


@pytest.mark.parametrize("target", [ours.add, ours.async_add, ours.adder, ours.authors_add], ids=lambda t: t.name)
def test_flytekit_ext_map_in_a_workflow_gives_the_state_map_task_gives(target):
    @workflow
    def wf(xs: typing.List[int], ys: typing.List[int]) -> typing.List[int]:
        return flytekit_ext.map(target, xs, ys)

    assert wf.nodes[0].flyte_entity.execution_mode == map_task(target).execution_mode
    assert wf(xs=[1, 2], ys=[10, 20]) == [11, 22]


def test_flytekit_ext_map_of_a_plain_instance_task_in_a_workflow_is_minimal_like_map_task():
    @workflow
    def wf(xs: typing.List[int], ys: typing.List[int]) -> typing.List[int]:
        return flytekit_ext.map(ours.plain_adder, xs, ys)

    assert wf.nodes[0].flyte_entity.execution_mode == map_task(theirs.plain_adder).execution_mode == MINIMAL
