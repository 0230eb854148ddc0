"""Images with the real ``pyflyte package``: an ImageSpec carries flytekit_ext; flytekit's own image is warned about.

Nothing is built (``DOCKER_HOST`` points nowhere, so flytekit assumes each ImageSpec's image exists); the pod
is the real ``pyflyte-execute``, with the image id that flytekit's builder would have written into the image.
"""

from __future__ import annotations

import tarfile
from importlib import metadata
from pathlib import Path
from typing import Dict

import pytest
from flytekit.image_spec.default_builder import create_docker_context

from tests.e2e import _support as support

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("e2e-images")]

MODULE = "tests.e2e.imgpkg.tasks"
PIN = f"flytekit-ext=={metadata.version('flytekit-ext')}"
NO_DOCKER = {"DOCKER_HOST": "unix:///nonexistent"}
WARNING = "FlytekitImageWarning"

PACKAGE_RUNS = {
    "default_image": ([], {}),
    "own_image": (["--image", "ghcr.io/example/with-flytekit-ext:v1"], {}),
    "opted_out": ([], {"FLYTEKIT_EXT_AUTO_IMAGE": "0"}),
}


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, support.Finished]:
    """``pyflyte --pkgs tests.e2e.imgpkg package --copy all`` three ways, at once."""
    jobs = {}
    for key, (options, env) in PACKAGE_RUNS.items():
        workdir = tmp_path_factory.mktemp(f"images-{key}")
        args = [support.tool("pyflyte"), "--pkgs", "tests.e2e.imgpkg", "package", "--copy", "all", *options]
        args += ["--output", str(workdir / "flyte-package.tgz"), "-f"]
        job = support.Job(args, support.REPO_ROOT, support.subprocess_env(**NO_DOCKER, **env))
        jobs[key] = job
    return support.run_all(jobs)


def _package(run: support.Finished) -> support.Package:
    """The package a finished ``pyflyte package --output <archive>`` wrote, extracted next to the archive."""
    assert run.returncode == 0, run.describe()
    archive = Path(run.args[run.args.index("--output") + 1])
    extracted = archive.with_suffix("")
    with tarfile.open(archive) as tar:
        if hasattr(tarfile, "data_filter"):  # Python >= 3.10.12 / 3.11.4
            tar.extractall(extracted, filter="data")
        else:
            tar.extractall(extracted)
    return support.Package.load(extracted)


def test_default_image_warns_once_naming_every_flytekit_ext_task_on_it(packages):
    run = packages["default_image"]
    assert run.returncode == 0, run.describe()
    assert run.stderr.count(WARNING) == 1, run.describe()
    (line,) = [line for line in run.stderr.splitlines() if WARNING in line]
    assert f"tasks {MODULE}.on_default_a, {MODULE}.on_default_b are serialized" in line
    assert "cr.flyte.org/flyteorg/flytekit:py" in line  # flytekit's default image, named
    assert "on_spec" not in line and "plain_flytekit" not in line
    assert "container_image=ImageSpec(...)" in line and PIN in line and "FLYTEKIT_EXT_AUTO_IMAGE=0" in line


def test_no_warning_with_an_image_of_ones_own_or_when_turned_off(packages):
    for key in ("own_image", "opted_out"):
        assert packages[key].returncode == 0, packages[key].describe()
        assert WARNING not in packages[key].stderr, packages[key].describe()


def test_imagespec_task_is_serialized_with_the_image_that_has_flytekit_ext(packages):
    from tests.e2e.imgpkg import tasks

    added = _package(packages["default_image"]).task(f"{MODULE}.on_spec").template.container.image
    assert added == tasks.spec.with_packages(PIN).image_name()
    left = _package(packages["opted_out"]).task(f"{MODULE}.on_spec").template.container.image
    assert left == tasks.spec.image_name() != added


@pytest.fixture(scope="module")
def pod(packages: Dict[str, support.Finished], tmp_path_factory: pytest.TempPathFactory) -> support.Finished:
    """The ImageSpec task run by ``pyflyte-execute`` from the package, as in the image built for it."""
    from tests.e2e.imgpkg import tasks

    workdir = tmp_path_factory.mktemp("images-pod")
    context = workdir / "docker-context"
    context.mkdir()
    create_docker_context(tasks.on_spec.container_image, context)
    dockerfile = (context / "Dockerfile").read_text().splitlines()
    (image_id,) = [line.split("=", 1)[1] for line in dockerfile if line.startswith("ENV _F_IMG_ID=")]

    spec = _package(packages["default_image"]).task(f"{MODULE}.on_spec")
    inputs, outputs, raw, checkpoint = workdir / "inputs.pb", workdir / "outputs", workdir / "raw", workdir / "cp"
    for directory in (outputs, raw, checkpoint):
        directory.mkdir()
    support.write_inputs(inputs, {"x": 5}, {"x": int})
    # Packaged with --copy all: pyflyte-fast-execute unpacks the code, then runs the command after its "--"; the
    # code is importable here already, so run that command.
    fast_args = list(spec.template.container.args)
    args = support.substitute(fast_args[fast_args.index("--") + 1 :], inputs, outputs, raw, checkpoint)
    args[0] = support.tool(args[0])
    env = support.subprocess_env(_F_IMG_ID=image_id, FLYTE_INTERNAL_EXECUTION_ID="images-pod")
    (finished,) = support.run_all({"pod": support.Job(args, workdir, env)}).values()
    return finished


def test_users_is_container_check_holds_in_the_image_built_for_the_task(pod):
    # The module imports statistics only `if spec.is_container()`: in the pod that must still be true.
    assert pod.returncode == 0, pod.describe()
    outputs = pod.workdir / "outputs" / "outputs.pb"
    assert outputs.exists(), pod.describe()
    assert support.read_outputs(outputs, {"o0": int}) == {"o0": 4}
