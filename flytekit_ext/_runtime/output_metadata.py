"""Metadata a task body attaches to its outputs (``Artifact.create_from(...)``), carried on the literals.

flytekit records such metadata in the context's output metadata tracker while the body runs; converting
the outputs must then put it on each output's literal: extra items under their own keys, and dynamic or
time partitions as a base64 ``ArtifactID`` under flytekit's ``_uap`` key, which the backend reads.
"""

from __future__ import annotations

from base64 import b64encode
from typing import Any, Dict

from flyteidl.core import artifact_id_pb2
from flytekit.core.artifact_utils import idl_partitions_from_dict, idl_time_partition_from_datetime
from flytekit.core.base_task import DYNAMIC_PARTITIONS
from flytekit.core.context_manager import FlyteContext, OutputMetadataTracker
from flytekit.models.literals import Literal


def attach_output_metadata(
    ctx: FlyteContext, tracker: OutputMetadataTracker, outputs: Dict[str, Any], literals: Dict[str, Literal]
) -> None:
    for name, value in outputs.items():
        recorded = tracker.get(value)
        if recorded is None:
            continue
        metadata: Dict[str, str] = {}
        for item in recorded.additional_items or ():
            key, serialized = item.serialize_to_string(ctx, name)
            metadata[key] = serialized
        if recorded.dynamic_partitions or recorded.time_partition:
            artifact_id = artifact_id_pb2.ArtifactID(
                partitions=idl_partitions_from_dict(recorded.dynamic_partitions),
                time_partition=idl_time_partition_from_datetime(
                    recorded.time_partition, recorded.artifact.time_partition_granularity
                ),
            )
            metadata[DYNAMIC_PARTITIONS] = b64encode(artifact_id.SerializeToString()).decode("utf-8")
        if metadata:
            literals[name].set_metadata(metadata)
