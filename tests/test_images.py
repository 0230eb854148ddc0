"""A flytekit_ext task's ImageSpec gets flytekit_ext, pinned; the user's spec is left as it was.

The image itself is never built here (no docker): flytekit's default builder writes its Docker context,
which is what it would build, and the tests read that.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
import warnings
from importlib import metadata
from pathlib import Path

import pytest
from flytekit import ImageSpec
from flytekit.configuration import Image, ImageConfig, SerializationSettings
from flytekit.core.interface import Interface
from flytekit.core.python_auto_container import PythonAutoContainerTask
from flytekit.image_spec.default_builder import create_docker_context

import flytekit_ext
from flytekit_ext import FlytekitImageWarning

PIN = f"flytekit-ext=={metadata.version('flytekit-ext')}"


def spec(**fields) -> ImageSpec:
    return ImageSpec(name="images-test", registry="localhost:30000", **{"packages": ["pandas"], **fields})


def task_on(image):
    @flytekit_ext.task(container_image=image)
    def on_image(x: int) -> int:
        return x

    return on_image


def test_imagespec_gets_flytekit_ext_pinned_to_the_installed_version():
    image = spec()
    before = dataclasses.asdict(image)
    serialized = task_on(image).container_image
    assert serialized.packages == ["pandas", PIN]
    assert PIN == f"flytekit-ext=={flytekit_ext.__version__}"
    assert dataclasses.asdict(image) == before, "the user's ImageSpec was changed"
    # The image is another image, named as flytekit would name the spec with flytekit-ext added ...
    assert serialized.image_name() == image.with_packages(PIN).image_name() != image.image_name()
    # ... and it answers to the user's spec in the pod: ImageSpec.is_container() compares this id.
    assert serialized.id == image.id


def test_the_image_flytekit_builds_installs_flytekit_ext_and_knows_the_users_spec(tmp_path: Path):
    image = spec()
    create_docker_context(task_on(image).container_image, tmp_path)
    requirements = (tmp_path / "requirements_uv.txt").read_text().splitlines()
    assert PIN in requirements and "pandas" in requirements
    dockerfile = (tmp_path / "Dockerfile").read_text()
    assert f"_F_IMG_ID={image.id}" in dockerfile


def test_a_spec_without_packages_gets_only_flytekit_ext():
    assert task_on(ImageSpec(name="bare", registry="localhost:30000")).container_image.packages == [PIN]


@pytest.mark.parametrize("named", ["flytekit-ext", "flytekit_ext>=0.1", "Flytekit.Ext @ https://example.com/f.whl"])
def test_a_spec_that_names_flytekit_ext_is_used_as_it_is(named):
    image = spec(packages=["pandas", named])
    assert task_on(image).container_image is image


def test_a_requirements_file_that_names_flytekit_ext_is_respected(tmp_path: Path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("pandas\nflytekit_ext==0.1.0\n")
    image = spec(packages=None, requirements=str(requirements))
    assert task_on(image).container_image is image
    requirements.write_text("pandas\n")
    assert task_on(image).container_image.packages == [PIN]


def test_a_spec_built_from_a_lock_file_is_used_as_it_is(tmp_path: Path):
    # flytekit's builder refuses packages next to a lock file: flytekit_ext must be in the locked project.
    (tmp_path / "uv.lock").write_text("")
    image = spec(packages=None, requirements=str(tmp_path / "uv.lock"))
    assert task_on(image).container_image is image


def test_environment_variable_turns_it_off(monkeypatch):
    monkeypatch.setenv("FLYTEKIT_EXT_AUTO_IMAGE", "0")
    image = spec()
    assert task_on(image).container_image is image


def test_images_named_by_string_are_used_as_they_are():
    assert task_on("ghcr.io/me/image:v1").container_image == "ghcr.io/me/image:v1"
    assert task_on(None).container_image is None


def test_force_push_is_kept():
    assert task_on(spec().force_push()).container_image._is_force_push


def test_serializing_leaves_the_users_spec_alone(monkeypatch, tmp_path: Path):
    # Without fast registration flytekit sets the source root on the spec it serializes (its own tasks' specs
    # are changed in place); a flytekit_ext task's is its own copy. DOCKER_HOST: nothing is built here.
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent")
    image = spec()
    on_image = task_on(image)
    settings = SerializationSettings(
        image_config=ImageConfig.create_from(Image.look_up_image_info("default", "ghcr.io/me/default:v1")),
        source_root=str(tmp_path),
    )
    assert on_image.get_image(settings) == on_image.container_image.image_name()
    assert on_image.container_image.source_root == str(tmp_path)
    assert image.source_root is None and image.source_copy_mode is None


class Echo(flytekit_ext.PythonInstanceTask):
    def execute(self, x: int) -> int:
        return x


def test_flytekit_image_warning_names_the_task_first_and_comes_once():
    # In a long-lived process (here: the test session) many flytekit_ext tasks are loaded; the warning names
    # the task being serialized first, then at most nine others on the same image, and is not repeated.
    interface = Interface(inputs={"x": int}, outputs={"o0": int})
    batch = uuid.uuid4().hex[:8]
    tasks = [Echo(name=f"echo_{batch}_{i}", task_config=None, interface=interface) for i in range(12)]
    settings = SerializationSettings(image_config=ImageConfig.auto_default_image())
    with pytest.warns(FlytekitImageWarning) as caught:
        image = tasks[5].get_image(settings)
    # Only this kind: a warning of another kind may come from anywhere meanwhile (a ResourceWarning of an earlier
    # test's leftovers, collected now).
    image_warnings = [w for w in caught if issubclass(w.category, FlytekitImageWarning)]
    assert len(image_warnings) == 1
    message = str(image_warnings[0].message)
    named = re.match(r"flytekit_ext tasks (.*) and (\d+) more are serialized with flytekit's image (\S+),", message)
    assert named, message
    listed = named.group(1).split(", ")
    assert listed[0] == f"echo_{batch}_5" and len(listed) == 10
    assert listed[1:] == sorted(listed[1:])  # then the others, sorted
    assert int(named.group(2)) >= 2 and named.group(3) == f"{image}"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for task in tasks:
            task.get_image(settings)


def test_a_task_whose_constructor_raised_does_not_break_anothers_serialization():
    # flytekit registers a task as loaded before its constructor is done; one that then raised stays listed,
    # half-built. The warning lists the loaded tasks on the same image and must pass over that one.
    class Refuses(Echo):
        def __init__(self, **kwargs):
            super(PythonAutoContainerTask, self).__init__(task_type="python-task", **kwargs)
            raise ValueError("bad configuration")

    interface = Interface(inputs={"x": int}, outputs={"o0": int})
    with pytest.raises(ValueError, match="bad configuration"):
        Refuses(name=f"refuses_{uuid.uuid4().hex[:8]}", interface=interface)
    fine = Echo(name=f"fine_{uuid.uuid4().hex[:8]}", task_config=None, interface=interface)
    settings = SerializationSettings(image_config=ImageConfig.auto_default_image())
    with pytest.warns(FlytekitImageWarning, match=fine.name):
        assert fine.get_image(settings)
