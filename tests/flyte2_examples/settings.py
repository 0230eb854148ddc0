"""An environment with the settings a cluster uses (image, resources, secrets, cache, retries, timeout), its
clone, and an override; run locally, none of them changes what the tasks print."""

from datetime import timedelta

import flytekit_ext.flyte as flyte

image = flyte.Image.from_debian_base().with_pip_packages("requests").with_apt_packages("curl")

env = flyte.TaskEnvironment(
    name="settings",
    image=image,
    resources=flyte.Resources(cpu=(1, 2), memory="1Gi"),
    env_vars={"STAGE": "test"},
    secrets=[flyte.Secret(key="api-token")],
    cache="auto",
)
bigger = env.clone_with(name="settings-bigger", resources=flyte.Resources(cpu=4, memory="4Gi", gpu="T4:1"))


@env.task(retries=flyte.RetryStrategy(count=2), timeout=timedelta(minutes=10))
def greet(name: str) -> str:
    return f"hello {name}"


@bigger.task(timeout=flyte.Timeout(max_runtime=timedelta(hours=1)))
async def shout(name: str) -> str:
    return name.upper()


@env.task
async def main(name: str) -> str:
    quiet = await greet.aio(name)
    loud = await shout.override(resources=flyte.Resources(cpu=8), short_name="shout-more")(name)
    return f"{quiet} / {loud}"


if __name__ == "__main__":
    flyte.init_from_config()
    print(flyte.run(main, name="world").outputs()[0])
