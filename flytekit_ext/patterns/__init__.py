"""Flyte 2's call patterns on flytekit tasks: forward, aio, override, map, callables as inputs."""
