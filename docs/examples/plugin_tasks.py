"""A flytekit plugin's task class, made by flytekit_ext's @task: the plugin's behaviour, flytekit_ext's patterns."""

import typing

from flytekitplugins.dask import Dask, WorkerGroup

import flytekit_ext
from flytekit_ext import task, workflow


@task(task_config=Dask(workers=WorkerGroup(number_of_workers=4)), short_name="tokens")
def count_tokens(text: str) -> int:
    # On a cluster the plugin's task type and spec start a Dask cluster for this task; run locally, the body runs
    # on flytekit_ext's fast path (with whatever the plugin sets up in pre_execute, here nothing).
    return len(text.split())


@workflow
def count_all(texts: typing.List[str]) -> typing.List[int]:
    # An ArrayNode over the plugin task, in the state flytekit's map_task gives a Dask task; the node shows "tokens".
    return flytekit_ext.map(count_tokens, texts)


# count_tokens is a DaskTask (isinstance holds) and a flytekit_ext task:
#   count_tokens(text="a b") == 2                         a local call, on the fast path
#   count_tokens.forward(text="a b c") == 3               the body, as a plain function call
#   count_tokens.override(short_name="again")(text="x")   one call shown as "again"
#   list(flytekit_ext.map(count_tokens, ["a", "a b"])) == [1, 2]
