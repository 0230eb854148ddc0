"""The eager scale benchmark's tasks, as flytekit tasks (bodies: ``scale_bodies.py``)."""

import os

from flytekit import eager, task  # noqa: F401 - used by the bodies executed below

_BODIES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scale_bodies.py")
with open(_BODIES) as _source:
    exec(compile(_source.read(), _BODIES, "exec"))
