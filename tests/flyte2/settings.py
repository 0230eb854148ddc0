"""Environments with settings, for the tests of what the settings become on flytekit."""

import flytekit_ext.flyte as flyte

image = (
    flyte.Image.from_debian_base(python_version=(3, 11), registry="localhost:30000", name="facade-test")
    .with_pip_packages("pandas==2.2.3")
    .with_apt_packages("curl")
    .with_env_vars({"A": "1"})
)

configured_env = flyte.TaskEnvironment(
    name="configured",
    image=image,
    resources=flyte.Resources(
        cpu=(1, 2), memory=("1Gi", "2Gi"), gpu=flyte.GPU("A100", 2, "1g.5gb"), disk="10Gi", shm="1Gi"
    ),
    env_vars={"MODE": "test"},
    secrets=flyte.Secret(key="openai", as_env_var="OPENAI_API_KEY"),
    interruptible=True,
)


@configured_env.task
def configured(x: int) -> int:
    return x


on_a_named_image_env = flyte.TaskEnvironment(
    name="named_image", image=flyte.Image.from_base("ghcr.io/example/ready:v1")
)


@on_a_named_image_env.task
def on_a_named_image(x: int) -> int:
    return x


cache_env = flyte.TaskEnvironment(name="caching")


@cache_env.task(cache="auto")
def cached_auto(x: int) -> int:
    return x


@cache_env.task(cache="auto")
def cached_auto_other_body(x: int) -> int:
    return x + 0


@cache_env.task(cache=flyte.Cache(behavior="override", version_override="v7", serialize=True, ignored_inputs="noise"))
def cached_override(x: int, noise: str) -> int:
    return x


base = flyte.TaskEnvironment(name="base", resources=flyte.Resources(cpu=1), env_vars={"MODE": "base"})
clone = base.clone_with(name="clone", resources=flyte.Resources(cpu=4))
