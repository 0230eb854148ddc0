"""``Image``, as in Flyte 2 (``flyte._image``): a base, then layers added by ``with_*`` methods; on Flyte 1 an
``ImageSpec``.

Each method returns a new ``Image``; :meth:`Image.to_flytekit` gives what a flytekit task takes as its
``container_image``:

* an image left as it was made by ``from_base(uri)``: that image's name (it exists already);
* ``from_ref_name(name)``: flytekit's image placeholder for ``name`` (``pyflyte --image name=uri``);
* anything else: an ``ImageSpec`` with the same base, Python version, packages, apt packages, commands,
  environment variables, requirements file, registry, name and platform. flytekit_ext adds itself to the
  spec's packages, so the image can run flytekit_ext's tasks (see "Putting flytekit_ext into the image").

``flyte_version``/``install_flyte`` are about Flyte 2's SDK, which a Flyte 1 image does not need: flytekit's
image builder installs flytekit. What an ``ImageSpec`` cannot express (a Dockerfile, a pixi project, wheels
from a folder, a working directory, secrets mounted at build time) is ignored, with a warning naming it.
"""

from __future__ import annotations

import dataclasses
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple, Union

from flytekit.image_spec.image_spec import ImageSpec

from flytekit_ext.flyte._ignored import ignored

# Where Flyte 2 keeps locally built wheels (its own source tree's dist folder); kept so programs that name it load.
DIST_FOLDER = Path(__file__).parent.parent.parent / "dist"

Architecture = str
_SCRIPT_BLOCK = re.compile(r"^# /// script\s*$(.*?)^# ///\s*$", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class Layer:
    """A layer added to an image by :meth:`Image.clone`; only :class:`PythonWheels` is one today."""


@dataclass(frozen=True)
class PythonWheels(Layer):
    """Wheels from a local folder (Flyte 2 uses it for its own plugins under development)."""

    wheel_dir: Path
    package_name: str
    pre: bool = False
    extra_args: Optional[str] = None


def _current_python() -> Tuple[int, int]:
    return sys.version_info[0], sys.version_info[1]


def _tuple(values: Union[str, List[str], Tuple[str, ...], None]) -> Tuple[str, ...]:
    if values is None:
        return ()
    return (values,) if isinstance(values, str) else tuple(values)


def _script_dependencies(script: Path) -> Tuple[str, ...]:
    """The ``dependencies`` of a script's inline metadata block (PEP 723)."""
    found = _SCRIPT_BLOCK.search(script.read_text())
    if found is None:
        raise ValueError(f"Image.from_uv_script: {script} has no '# /// script' metadata block")
    body = "\n".join(line[2:] if line.startswith("# ") else line.lstrip("#") for line in found.group(1).splitlines())
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    return tuple(tomllib.loads(body).get("dependencies", []))


@dataclass(frozen=True)
class Image:
    """A container image for tasks; make one with a ``from_*`` method (see the module's description)."""

    base_image: Optional[str] = None
    dockerfile: Optional[Path] = None
    registry: Optional[str] = None
    name: Optional[str] = None
    platform: Tuple[Architecture, ...] = ("linux/amd64",)
    python_version: Tuple[int, int] = field(default_factory=_current_python)
    extendable: bool = False
    packages: Tuple[str, ...] = ()
    apt_packages: Tuple[str, ...] = ()
    commands: Tuple[str, ...] = ()
    env: Tuple[Tuple[str, str], ...] = ()
    requirements: Optional[str] = None
    pip_index: Optional[str] = None
    pip_extra_index_urls: Tuple[str, ...] = ()
    pip_pre: bool = False
    ref_name: Optional[str] = None
    # Whether a with_* method (or clone) changed it: an image made by from_base and left alone exists already.
    changed: bool = False

    # Made by these.

    @classmethod
    def from_debian_base(
        cls,
        python_version: Optional[Tuple[int, int]] = None,
        flyte_version: Optional[str] = None,
        install_flyte: bool = True,
        registry: Optional[str] = None,
        registry_secret: Any = None,
        name: Optional[str] = None,
        platform: Optional[Tuple[Architecture, ...]] = None,
    ) -> Image:
        """flytekit's default image base (Debian, with flytekit), for ``python_version`` (default: this one's)."""
        return cls(
            python_version=python_version or _current_python(),
            registry=registry,
            name=name,
            platform=platform or ("linux/amd64",),
            extendable=True,
            changed=True,
        )

    @classmethod
    def from_base(cls, image_uri: str) -> Image:
        """An image that exists already, by name; ``with_*`` methods make a new one on top of it."""
        return cls(base_image=image_uri)

    @classmethod
    def from_ref_name(cls, name: str = "default") -> Image:
        """The image given as ``name`` when registering (``pyflyte --image name=uri``)."""
        return cls(name=name, ref_name=name)

    @classmethod
    def from_uv_script(
        cls,
        script: Union[Path, str],
        *,
        name: str,
        registry: Optional[str] = None,
        registry_secret: Any = None,
        python_version: Optional[Tuple[int, int]] = None,
        index_url: Optional[str] = None,
        extra_index_urls: Union[str, List[str], Tuple[str, ...], None] = None,
        pre: bool = False,
        extra_args: Optional[str] = None,
        platform: Optional[Tuple[Architecture, ...]] = None,
        secret_mounts: Any = None,
    ) -> Image:
        """An image with the dependencies a script declares in its inline metadata (``# /// script``)."""
        if secret_mounts:
            ignored("Image secret_mounts", "an ImageSpec is built without secrets")
        return cls(
            name=name,
            registry=registry,
            python_version=python_version or _current_python(),
            platform=platform or ("linux/amd64",),
            packages=_script_dependencies(Path(script)),
            pip_index=index_url,
            pip_extra_index_urls=_tuple(extra_index_urls),
            pip_pre=pre,
            changed=True,
        )

    @classmethod
    def from_pixi_script(cls, script: Union[Path, str], *, name: str, **options: Any) -> Image:
        ignored("Image.from_pixi_script", "give the task an ImageSpec, or an image name, that has its dependencies")
        return cls(name=name, registry=options.get("registry"), changed=True)

    @classmethod
    def from_dockerfile(
        cls, file: Union[Path, str], registry: str, name: str, platform: Union[str, Tuple[str, ...], None] = None
    ) -> Image:
        ignored("Image.from_dockerfile", "build the Dockerfile yourself and register with pyflyte --image <its name>")
        return cls(dockerfile=Path(file), registry=registry, name=name)

    def clone(
        self,
        registry: Optional[str] = None,
        registry_secret: Any = None,
        name: Optional[str] = None,
        base_image: Optional[str] = None,
        python_version: Optional[Tuple[int, int]] = None,
        addl_layer: Optional[Layer] = None,
        extendable: Optional[bool] = None,
        platform: Union[str, Tuple[str, ...], None] = None,
    ) -> Image:
        """A copy with a new name, registry, base or Python version."""
        if addl_layer is not None:
            ignored(f"Image layer {type(addl_layer).__name__}", "install the package in the image another way")
        changes: Dict[str, Any] = {"changed": True}
        for key, value in (
            ("registry", registry),
            ("name", name),
            ("base_image", base_image),
            ("python_version", python_version),
            ("extendable", extendable),
        ):
            if value is not None:
                changes[key] = value
        if platform is not None:
            changes["platform"] = _tuple(platform)
        return dataclasses.replace(self, **changes)

    # Layers.

    def _with(self, **changes: Any) -> Image:
        return dataclasses.replace(self, changed=True, **changes)

    def with_pip_packages(
        self,
        *packages: str,
        index_url: Optional[str] = None,
        extra_index_urls: Union[str, List[str], Tuple[str, ...], None] = None,
        pre: bool = False,
        extra_args: Optional[str] = None,
        secret_mounts: Any = None,
    ) -> Image:
        if secret_mounts:
            ignored("Image secret_mounts", "an ImageSpec is built without secrets")
        return self._with(
            packages=(*self.packages, *packages),
            pip_index=index_url or self.pip_index,
            pip_extra_index_urls=(*self.pip_extra_index_urls, *_tuple(extra_index_urls)),
            pip_pre=pre or self.pip_pre,
        )

    def with_requirements(self, file: Union[str, Path], **options: Any) -> Image:
        return self._with(requirements=str(file))

    def with_uv_project(self, pyproject_file: Union[str, Path], uvlock: Optional[Path] = None, **options: Any) -> Image:
        return self._with(requirements=str(uvlock or Path(pyproject_file).parent / "uv.lock"))

    def with_poetry_project(
        self, pyproject_file: Union[str, Path], poetry_lock: Optional[Path] = None, **options: Any
    ) -> Image:
        return self._with(requirements=str(poetry_lock or Path(pyproject_file).parent / "poetry.lock"))

    def with_pixi_project(self, manifest_file: Union[str, Path], **options: Any) -> Image:
        ignored("Image.with_pixi_project", "give the task an ImageSpec, or an image name, with its environment")
        return self._with()

    def with_apt_packages(self, *packages: str, secret_mounts: Any = None) -> Image:
        return self._with(apt_packages=(*self.apt_packages, *packages))

    def with_commands(self, commands: List[str], secret_mounts: Any = None) -> Image:
        return self._with(commands=(*self.commands, *_tuple(commands)))

    def with_env_vars(self, env_vars: Dict[str, str]) -> Image:
        return self._with(env=(*self.env, *env_vars.items()))

    def with_workdir(self, workdir: str) -> Image:
        ignored("Image.with_workdir", "flytekit's images keep their working directory")
        return self._with()

    def with_source_folder(self, src: Path, dst: str = ".", copy_contents_only: bool = False) -> Image:
        ignored("Image.with_source_folder", "pyflyte packages the code; pyflyte register --copy all copies folders")
        return self._with()

    def with_source_file(self, src: Union[Path, List[Path]], dst: str = ".") -> Image:
        ignored("Image.with_source_file", "pyflyte packages the code; pyflyte register --copy all copies files")
        return self._with()

    def with_code_bundle(self, copy_style: str = "loaded_modules", dst: str = ".") -> Image:
        return self._with()

    def with_dockerignore(self, path: Path) -> Image:
        return self._with()

    def with_local_v2(self) -> Image:
        """Flyte 2 installs its own source here; a Flyte 1 image gets flytekit_ext added instead."""
        return self._with()

    # On Flyte 1.

    def to_flytekit(self) -> Union[str, ImageSpec, None]:
        """What a flytekit task takes as ``container_image`` for this image (see the module's description)."""
        if self.ref_name is not None:
            return f"{{{{.image.{self.ref_name}.fqn}}}}:{{{{.image.{self.ref_name}.version}}}}"
        if self.dockerfile is not None:
            return None
        if not self.changed:
            return self.base_image
        return ImageSpec(
            name=self.name or "flyte",
            base_image=self.base_image,
            python_version=".".join(map(str, self.python_version)),
            packages=list(self.packages) or None,
            apt_packages=list(self.apt_packages) or None,
            commands=list(self.commands) or None,
            env=dict(self.env) or None,
            requirements=self.requirements,
            registry=self.registry,
            platform=",".join(self.platform),
            pip_index=self.pip_index,
            pip_extra_index_url=list(self.pip_extra_index_urls) or None,
        )


def image_for_flytekit(image: Union[str, Image, None]) -> Union[str, ImageSpec, None]:
    """A task's ``container_image`` for Flyte 2's ``image=``: ``"auto"`` (and None) is flytekit's default image."""
    if image is None or image == "auto":
        return None
    if isinstance(image, Image):
        return image.to_flytekit()
    return image
