"""What a call of a task means, decided in one place.

:func:`~flytekit_ext.calls.route.runner_for` looks at flytekit's current context once and picks a
:class:`~flytekit_ext.calls.runner.Runner`: compile a workflow node, run locally (native values, or
promises inside a local workflow run), or submit to the eager backend. Tasks only ever ask it.
"""

from flytekit_ext.calls.overrides import CallOverrides
from flytekit_ext.calls.route import call, call_async, in_workflow_body, runner_for

__all__ = ["CallOverrides", "call", "call_async", "in_workflow_body", "runner_for"]
