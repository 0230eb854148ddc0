"""Flyte 2 patterns beyond a single call: ``map`` over a task, and callables (tasks, functions) as inputs."""
