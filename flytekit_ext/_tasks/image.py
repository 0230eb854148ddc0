"""flytekit_ext in the task image: added to a task's ``ImageSpec``, and a warning for flytekit's own images.

Every flytekit_ext task's container runs ``pyflyte-execute ... --resolver flytekit_ext.resolver...``, so the
image it runs in must have flytekit_ext installed. flytekit's image builders add flytekit to every
``ImageSpec``; this module adds flytekit_ext to the ``ImageSpec`` of a flytekit_ext task in the same spirit,
and warns when a flytekit_ext task is serialized with one of flytekit's published images, which cannot
have it. ``FLYTEKIT_EXT_AUTO_IMAGE=0`` turns both off, for images that get flytekit_ext some other way.
"""

from __future__ import annotations

import copy
import dataclasses
import os
import re
import warnings
from importlib import metadata
from pathlib import Path
from typing import Iterable, List, Optional, Set, Union

from flytekit.configuration import SerializationSettings
from flytekit.core.python_auto_container import PythonAutoContainerTask, get_registerable_container_image
from flytekit.image_spec.image_spec import ImageSpec

from flytekit_ext._flytekit_internals import keep_force_push

AUTO_IMAGE_ENV = "FLYTEKIT_EXT_AUTO_IMAGE"
DISTRIBUTION = "flytekit-ext"

# Where flytekit publishes its images (flytekit.configuration.DefaultImages picks one of their tags by
# default); none of them has flytekit_ext installed.
FLYTEKIT_IMAGE_REPOSITORIES = ("cr.flyte.org/flyteorg/flytekit", "ghcr.io/flyteorg/flytekit")

# With a lock file as its requirements an ImageSpec must have no packages (flytekit's builder refuses
# both): the lock file is the whole environment, and flytekit_ext must be one of the project's dependencies.
_LOCK_FILES = ("uv.lock", "poetry.lock")
_OFF = ("0", "false", "no", "off")
_REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


class FlytekitImageWarning(UserWarning):
    """A flytekit_ext task is serialized with an image of flytekit's, which does not have flytekit_ext."""


def auto_image() -> bool:
    """Whether flytekit_ext looks after task images: unless ``FLYTEKIT_EXT_AUTO_IMAGE`` is 0/false/no/off."""
    return os.environ.get(AUTO_IMAGE_ENV, "1").strip().lower() not in _OFF


def pinned_requirement() -> Optional[str]:
    """``flytekit-ext==<the installed version>``; None when flytekit_ext is not installed as a distribution
    (its source is then part of the user's code, and reaches the image with it)."""
    try:
        return f"{DISTRIBUTION}=={metadata.version(DISTRIBUTION)}"
    except metadata.PackageNotFoundError:
        return None


def _distribution_name(requirement: str) -> str:
    found = _REQUIREMENT_NAME.match(requirement)
    return re.sub(r"[-_.]+", "-", found.group(1)).lower() if found else ""


def _requirements(spec: ImageSpec) -> List[str]:
    listed = list(spec.packages or [])
    if spec.requirements and Path(spec.requirements).is_file():
        listed += Path(spec.requirements).read_text().splitlines()
    return listed


def installs_flytekit_ext(spec: ImageSpec) -> bool:
    """Whether the spec names flytekit_ext itself, in ``packages`` or its requirements file (any version)."""
    return any(_distribution_name(line) == DISTRIBUTION for line in _requirements(spec))


def _locked(spec: ImageSpec) -> bool:
    return bool(spec.requirements) and Path(spec.requirements).name in _LOCK_FILES


def with_flytekit_ext(image: Union[str, ImageSpec, None]) -> Union[str, ImageSpec, None]:
    """A flytekit_ext task's image: an ``ImageSpec`` gets ``flytekit-ext==<version>`` added to its packages.

    A new spec; the one given is not changed. Returned as it is: anything but a spec, a spec that names
    flytekit_ext already or is built from a lock file, and every image when ``FLYTEKIT_EXT_AUTO_IMAGE=0``.
    """
    if not isinstance(image, ImageSpec) or not auto_image() or _locked(image) or installs_flytekit_ext(image):
        return image
    requirement = pinned_requirement()
    if requirement is None:
        return image
    extended = dataclasses.replace(image, packages=[*(image.packages or []), requirement])
    # The builder writes the spec's id into the image, and ImageSpec.is_container() compares it in the pod:
    # keeping the user's id keeps `their_spec.is_container()` true there. The tag, which names the image,
    # is computed from the fields, so the image still changes with the packages.
    vars(extended)["id"] = copy.copy(image).id
    keep_force_push(image, extended)
    return extended


def is_flytekit_image(image: str) -> bool:
    """Whether ``image`` (``repository[:tag][@digest]``) is one of flytekit's published images."""
    repository = image.split("@", 1)[0]
    if ":" in repository.rsplit("/", 1)[-1]:
        repository = repository.rsplit(":", 1)[0]
    return repository in FLYTEKIT_IMAGE_REPOSITORIES


def _resolved_image(task: PythonAutoContainerTask, settings: SerializationSettings) -> Optional[str]:
    """The image string ``task`` serializes with, without building anything; None for an ``ImageSpec``.

    None too when it cannot be told: ``task`` is another loaded task, only listed in a warning, and its own
    serialization reports what is wrong with it. A task whose constructor raised stays in flytekit's list of
    loaded entities half-built (``Task.__init__`` registers it first), without a container image at all.
    """
    try:
        image = task.container_image
    except AttributeError:  # half-built
        return None
    if isinstance(image, ImageSpec):
        return None
    try:
        return get_registerable_container_image(image, settings.image_config)
    except (AssertionError, ValueError):  # an image flytekit cannot resolve: that task's own serialization says so
        return None


_warned: Set[str] = set()  # tasks already named in a warning by this process
_NAMED = 10  # the most tasks one warning names; a long-lived process may have loaded many


def warn_if_flytekit_image(
    task: PythonAutoContainerTask,
    image: str,
    settings: SerializationSettings,
    flytekit_ext_tasks: Iterable[PythonAutoContainerTask],
) -> None:
    """Warn once, naming ``task`` and the other flytekit_ext tasks loaded that serialize with the same image.

    Called as each task is serialized; the first call names them all, so a run of many tasks warns once.
    """
    if task.name in _warned or not is_flytekit_image(image) or not auto_image():
        return
    sharing = {other.name for other in flytekit_ext_tasks if _resolved_image(other, settings) == image}
    names = [task.name, *sorted(sharing - {task.name})]
    _warned.update(names)
    named = ", ".join(names[:_NAMED]) + (f" and {len(names) - _NAMED} more" if len(names) > _NAMED else "")
    tasks = f"task {named} is" if len(names) == 1 else f"tasks {named} are"
    requirement = pinned_requirement() or DISTRIBUTION
    warnings.warn(
        FlytekitImageWarning(
            f"flytekit_ext {tasks} serialized with flytekit's image {image}, which does not have flytekit_ext: "
            f"a pod running it would fail to import flytekit_ext's resolver. Use an image with flytekit_ext "
            f"installed: container_image=ImageSpec(...) (flytekit_ext adds {requirement} to its packages), or "
            f"pyflyte --image with an image that has {requirement}. If the pods get flytekit_ext another way, "
            f"set {AUTO_IMAGE_ENV}=0 to silence this warning."
        ),
        stacklevel=2,
    )
