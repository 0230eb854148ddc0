"""Module-level tasks of real flytekit plugins' task classes (pod, dask), made with flytekit_ext's decorator."""

import typing

from flytekitplugins.dask import Dask, Scheduler, WorkerGroup
from flytekitplugins.pod import Pod
from kubernetes.client.models import V1Container, V1PodSpec, V1Toleration

from flytekit_ext import task


def dask_config() -> Dask:
    return Dask(scheduler=Scheduler(image="scheduler:1"), workers=WorkerGroup(number_of_workers=3))


def pod_config() -> Pod:
    # A new one each time: the pod plugin adds its primary container to the config's spec when serializing.
    spec = V1PodSpec(containers=[V1Container(name="sidecar", image="busybox")], tolerations=[V1Toleration(key="a")])
    return Pod(pod_spec=spec, primary_container_name="main", labels={"team": "data"})


@task(task_config=dask_config(), short_name="words")
def count_words(text: str) -> int:
    return len(text.split())


@task(task_config=pod_config())
def padded(text: str, width: int) -> str:
    return text.ljust(width, ".")


flaky_calls: typing.List[str] = []


@task(task_config=pod_config())
def flaky_pod(key: str) -> int:
    flaky_calls.append(key)
    if flaky_calls.count(key) == 1:
        raise ValueError(f"first attempt for {key} fails")
    return flaky_calls.count(key)
