"""Module-level tasks of the heavy flytekit plugins (Spark, Ray, PyTorch), made with flytekit_ext's decorator.

Imported only by the ``heavy_plugins`` tests: it needs ``flytekitplugins-spark`` (and Java), ``-ray`` and
``-kfpytorch`` (and torch).
"""

import os

import flytekit
import pandas as pd
import pyspark.sql
from flytekit import workflow
from flytekitplugins.kfpytorch import Elastic, PyTorch, Worker
from flytekitplugins.ray import RayJobConfig, WorkerNodeConfig
from flytekitplugins.spark import Spark

from flytekit_ext import task


def spark_config() -> Spark:
    return Spark(spark_conf={"spark.driver.memory": "512m", "spark.ui.enabled": "false"})


def ray_config() -> RayJobConfig:
    return RayJobConfig(worker_node_config=[WorkerNodeConfig(group_name="workers", replicas=2)])


def pytorch_config() -> PyTorch:
    return PyTorch(worker=Worker(replicas=2))


def elastic_config() -> Elastic:
    return Elastic(nnodes=1, nproc_per_node=2, start_method="spawn")


@task(task_config=spark_config(), short_name="spark-count")
def spark_count(n: int) -> int:
    # The Spark session the plugin's pre_execute makes for the run.
    session = flytekit.current_context().spark_session
    return session.sparkContext.parallelize(range(n), 2).count()


@task
def people() -> pd.DataFrame:
    return pd.DataFrame({"name": ["Alice", "Bob"], "age": [5, 10]})


@task(task_config=spark_config())
def spark_rows(df: pyspark.sql.DataFrame) -> int:
    return df.count()


@workflow
def people_counted_by_spark() -> int:
    # Spark reads the dataset's URI in its JVM, not through this process's fsspec.
    return spark_rows(df=people())


@task(task_config=ray_config())
def ray_squares(n: int) -> str:
    import ray

    @ray.remote
    def square(x: int) -> int:
        return x * x

    total = sum(ray.get([square.remote(i) for i in range(n)]))
    # ray.init by the plugin's pre_execute, in its local form: no runtime environment shipped to a cluster.
    return f"{total} runtime_env={ray.get_runtime_context().get_runtime_env_string()}"


@task(task_config=pytorch_config())
def torch_total(n: int) -> float:
    import torch

    return float(torch.arange(n, dtype=torch.float32).sum())


@task(task_config=elastic_config())
def elastic_world(n: int) -> int:
    # Run by torch elastic's launcher (the plugin's execute), in each of its processes.
    return int(os.environ["WORLD_SIZE"]) * n
