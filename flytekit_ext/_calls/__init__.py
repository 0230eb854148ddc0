"""What a call of a task means, decided in one place.

:func:`~flytekit_ext._calls.route.runner_for` looks at flytekit's current context once and picks a
:class:`~flytekit_ext._calls.runner.Runner`: make a workflow node (``node``), run in this process
(``in_process``), or launch a child execution of an eager task on a backend (``child_execution``). Every
other question about a call ("is this a workflow body?") is asked of the runner it picks.
"""
