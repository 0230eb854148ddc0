"""A loopback FlyteAdmin test double that runs task executions as real ``pyflyte-execute`` subprocesses.

See ``tests/backend/README.md``.
"""

from .executions import ExecutionInfo, NodeInfo
from .server import AdminDouble
from .simulation import Simulation

__all__ = ["AdminDouble", "ExecutionInfo", "NodeInfo", "Simulation"]
