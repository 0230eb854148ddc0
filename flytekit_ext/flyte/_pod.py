"""``PodTemplate``: flytekit's own, which has the fields Flyte 2's has, plus Flyte 2's helpers."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any, Dict, Optional

from flytekit.core.pod_template import PodTemplate as FlytekitPodTemplate

_PRIMARY = "primary"


class PodTemplate(FlytekitPodTemplate):
    """A Kubernetes pod template for a task: ``pod_spec``, ``primary_container_name``, ``labels``, ``annotations``."""

    @classmethod
    def from_spec(
        cls,
        pod_spec: Any,
        *,
        primary_container_name: Optional[str] = None,
        labels: Optional[Dict[str, str]] = None,
        annotations: Optional[Dict[str, str]] = None,
    ) -> PodTemplate:
        """A template around a copy of ``pod_spec``; its primary container is the one named, ``primary``, or
        its only container."""
        names = [getattr(container, "name", None) for container in (getattr(pod_spec, "containers", None) or [])]
        if primary_container_name is not None and primary_container_name not in names:
            raise ValueError(f"PodTemplate.from_spec: no container named {primary_container_name!r} in {names}")
        primary = primary_container_name or (_PRIMARY if _PRIMARY in names or len(names) != 1 else names[0])
        if primary_container_name is None and _PRIMARY not in names and len(names) != 1:
            raise ValueError(
                f"PodTemplate.from_spec: containers {names}, none named {_PRIMARY!r}; pass primary_container_name="
            )
        return cls(
            pod_spec=copy.deepcopy(pod_spec),
            primary_container_name=primary or _PRIMARY,
            labels=dict(labels) if labels else None,
            annotations=dict(annotations) if annotations else None,
        )

    def with_termination_grace_period(self, seconds: int) -> PodTemplate:
        """A copy whose pod has ``terminationGracePeriodSeconds`` set."""
        spec = copy.deepcopy(self.pod_spec)
        spec.termination_grace_period_seconds = int(seconds)
        return dataclasses.replace(self, pod_spec=spec)
