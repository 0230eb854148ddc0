"""A flytekit 1.x module converted to flytekit_ext: only the imports of task, dynamic and workflow changed.

Everything else still comes from flytekit and keeps working with flytekit_ext tasks: map_task, launch plans,
conditionals.
"""

import typing

from flytekit import LaunchPlan, conditional, map_task

from flytekit_ext import dynamic, task, workflow  # was: from flytekit import dynamic, task, workflow


@task(retries=2)
def clean(x: int) -> int:
    return abs(x)


@task
def describe(total: int) -> str:
    return f"total {total}"


@dynamic
def total_of(values: typing.List[int]) -> int:
    # At run time the dynamic body builds a workflow: these calls become its nodes.
    running = 0
    for v in values:
        running = running + v  # plain Python on the values: they are native inside a dynamic body
    return clean(x=running)


@workflow
def report(values: typing.List[int]) -> str:
    cleaned = map_task(clean)(x=values)
    total = total_of(values=cleaned)
    return conditional("empty").if_(total == 0).then(describe(total=0)).else_().then(describe(total=total))


report_plan = LaunchPlan.get_or_create(report, name="report_plan", default_inputs={"values": [1, -2, 3]})
