"""``Resources`` and the accelerator devices (``GPU``, ``TPU``, ...), as in Flyte 2, and what they are on Flyte 1.

A single value is a request, a ``(request, limit)`` pair both (Flyte 2's rule, not flytekit's, where a single
value is both). ``gpu`` asks for a count of GPUs; naming a device (``"A100:2"``, ``GPU("A100", 2, "1g.5gb")``)
also selects the node's accelerator, as flytekit's ``accelerator=`` does. ``shm`` is flytekit's
``shared_memory``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, Literal, Optional, Tuple, Union

from flyteidl.core import tasks_pb2
from flytekit.core.resources import Resources as FlytekitResources
from flytekit.extras.accelerators import BaseAccelerator

DeviceClass = Literal["GPU", "TPU", "NEURON", "AMD_GPU", "HABANA_GAUDI", "APPLE_SILICON"]
CPUBaseType = Union[int, float, str]

# Flyte 2's device names and the node label values Flyte 1 clusters (and flytekit's accelerators) use for them.
_NODE_LABELS: Dict[str, str] = {
    "A10": "nvidia-a10",
    "A10G": "nvidia-a10g",
    "A100": "nvidia-tesla-a100",
    "A100_80G": "nvidia-a100-80gb",
    "H100": "nvidia-tesla-h100",
    "L4": "nvidia-l4",
    "L40s": "nvidia-l40s",
    "T4": "nvidia-tesla-t4",
    "V100": "nvidia-tesla-v100",
    "V5E": "tpu-v5-lite-podslice",
    "V5P": "tpu-v5p-slice",
    "V6E": "tpu-v6e-slice",
}
_QUANTITY = re.compile(r"^\d+(\.\d+)?([KMGTPE]i?|m)?$")


@dataclass(frozen=True)
class Device:
    """An accelerator: how many, of which class, which device, and which partition of it."""

    quantity: int
    device_class: DeviceClass
    device: Optional[str] = None
    partition: Optional[str] = None

    def __post_init__(self) -> None:
        if self.quantity < 1:
            raise ValueError(f"Device: quantity must be at least 1, got {self.quantity}")


def GPU(device: str, quantity: int, partition: Optional[str] = None) -> Device:  # noqa: N802 (Flyte 2's name)
    """``quantity`` GPUs of type ``device`` (``"T4"``, ``"A100"``, ...), optionally one MIG ``partition``."""
    return Device(quantity=quantity, device_class="GPU", device=device, partition=partition)


def TPU(device: str, partition: Optional[str] = None) -> Device:  # noqa: N802
    return Device(quantity=1, device_class="TPU", device=device, partition=partition)


def Neuron(device: str) -> Device:  # noqa: N802
    return Device(quantity=1, device_class="NEURON", device=device)


def AMD_GPU(device: str) -> Device:  # noqa: N802
    return Device(quantity=1, device_class="AMD_GPU", device=device)


def HABANA_GAUDI(device: str) -> Device:  # noqa: N802
    return Device(quantity=1, device_class="HABANA_GAUDI", device=device)


def APPLE_SILICON() -> Device:  # noqa: N802
    return Device(quantity=1, device_class="APPLE_SILICON", device="AppleSilicon")


def _check_quantity(field: str, value: object) -> None:
    values = value if isinstance(value, tuple) else (value,)
    if isinstance(value, tuple) and len(value) != 2:
        raise ValueError(f"Resources: {field} must be one value or a (request, limit) pair, got {value!r}")
    for one in values:
        if one is None or isinstance(one, (int, float)) and not isinstance(one, bool):
            continue
        if not isinstance(one, str) or not _QUANTITY.match(one):
            raise ValueError(f"Resources: {field}={one!r} is not a quantity such as 1, 0.5, '500m', '1Gi'")


@dataclass(frozen=True)
class Resources:
    """CPU, memory, accelerator, disk and shared memory for a task (see the module's description)."""

    cpu: Union[CPUBaseType, Tuple[CPUBaseType, CPUBaseType], None] = None
    memory: Union[str, Tuple[str, str], None] = None
    gpu: Union[str, int, Device, None] = None
    disk: Optional[str] = None
    shm: Optional[str] = None

    def __post_init__(self) -> None:
        _check_quantity("cpu", self.cpu)
        _check_quantity("memory", self.memory)
        _check_quantity("disk", self.disk)
        if self.shm is not None and self.shm != "auto":
            _check_quantity("shm", self.shm)
        if isinstance(self.gpu, bool) or not isinstance(self.gpu, (str, int, Device, type(None))):
            raise ValueError(
                f"Resources: gpu must be a count, a string such as 'A100:2', or a GPU(...), got {self.gpu!r}"
            )
        if isinstance(self.gpu, int) and self.gpu < 0:
            raise ValueError(f"Resources: gpu must be >= 0, got {self.gpu}")
        self.get_device()  # a malformed device string fails here, where the Resources are made

    def get_device(self) -> Optional[Device]:
        """The accelerator asked for, or None (also for ``gpu=0``)."""
        if self.gpu is None or self.gpu == 0:
            return None
        if isinstance(self.gpu, Device):
            return self.gpu
        if isinstance(self.gpu, int):
            return Device(quantity=self.gpu, device_class="GPU")
        name, _, count = self.gpu.partition(":")
        if not count.isdigit():
            raise ValueError(f"Resources: gpu={self.gpu!r} must be '<device>:<count>', such as 'A100:2'")
        device_class: DeviceClass = "TPU" if name.startswith("V") and name[1:2].isdigit() else "GPU"
        return Device(quantity=int(count), device_class=device_class, device=name)

    def get_shared_memory(self) -> Optional[str]:
        return self.shm

    # What they are on Flyte 1.

    def requests(self) -> Optional[FlytekitResources]:
        device = self.get_device()
        return _flytekit(
            cpu=_first(self.cpu),
            mem=_first(self.memory),
            gpu=str(device.quantity) if device is not None else None,
            ephemeral_storage=self.disk,
        )

    def limits(self) -> Optional[FlytekitResources]:
        return _flytekit(cpu=_second(self.cpu), mem=_second(self.memory))

    def accelerator(self) -> Optional[BaseAccelerator]:
        device = self.get_device()
        if device is None or device.device is None:
            return None
        return _Accelerator(_NODE_LABELS.get(device.device, device.device), device.partition)

    def shared_memory(self) -> Union[bool, str, None]:
        return True if self.shm == "auto" else self.shm


def _first(value: object) -> object:
    return value[0] if isinstance(value, tuple) else value


def _second(value: object) -> object:
    return value[1] if isinstance(value, tuple) else None


def _flytekit(**values: object) -> Optional[FlytekitResources]:
    given = {key: str(value) for key, value in values.items() if value is not None}
    return FlytekitResources(**given) if given else None


class _Accelerator(BaseAccelerator):
    """A node accelerator by its label value, with a partition when one was asked for."""

    def __init__(self, device: str, partition: Optional[str]) -> None:
        self._device = device
        self._partition = partition

    def to_flyte_idl(self) -> tasks_pb2.GPUAccelerator:
        if self._partition is None:
            return tasks_pb2.GPUAccelerator(device=self._device)
        return tasks_pb2.GPUAccelerator(device=self._device, partition_size=self._partition)
