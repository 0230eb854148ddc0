"""A task image with flytekit_ext in it: flytekit_ext adds ``flytekit-ext==<its version>`` to the ImageSpec."""

from flytekit import ImageSpec

from flytekit_ext import task

image = ImageSpec(name="word-count", registry="ghcr.io/example", packages=["pandas"])

if image.is_container():  # true here, and in the pod running the image built from it
    import pandas as pd


@task(container_image=image)
def count_words(text: str) -> int:
    return int(pd.Series(text.split()).nunique())


# count_words.container_image.packages == ["pandas", "flytekit-ext==0.1.0"]; `image` itself is unchanged.
