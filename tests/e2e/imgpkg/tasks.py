"""Two flytekit_ext tasks on the default image, one on an ImageSpec, and a flytekit task."""

from flytekit import ImageSpec, workflow
from flytekit import task as flytekit_task

from flytekit_ext import task

spec = ImageSpec(name="e2e-images", registry="localhost:30000", packages=["pandas"])

if spec.is_container():  # as user code does for imports only its image has; in the pod this must still hold
    import statistics


@task
def on_default_a(x: int) -> int:
    return x + 1


@task
def on_default_b(x: int) -> int:
    return x * 2


@task(container_image=spec)
def on_spec(x: int) -> int:
    return int(statistics.median([x, x])) - 1


@flytekit_task
def plain_flytekit(x: int) -> int:
    return x


@workflow
def flow(x: int = 1) -> int:
    return plain_flytekit(x=on_spec(x=on_default_b(x=on_default_a(x=x))))
