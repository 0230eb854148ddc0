"""Twin modules: one source file executed twice, once with flytekit's names and once with flytekit_ext's.

Both twins are real modules registered in ``sys.modules`` with module-level tasks (what resolvers and
flytekit's instance tracking need), made from the very same source, so what one side serializes or shows can
be compared with the other's.
"""

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Dict

import flytekit
from flytekit.core import python_function_task as flytekit_tasks

import flytekit_ext

HERE = Path(__file__).resolve().parent

FLYTEKIT = {
    "task": flytekit.task,
    "eager": flytekit.eager,
    "PythonFunctionTask": flytekit_tasks.PythonFunctionTask,
    "PythonInstanceTask": flytekit_tasks.PythonInstanceTask,
}
FLYTEKIT_EXT = {
    "task": flytekit_ext.task,
    "eager": flytekit_ext.eager,
    "PythonFunctionTask": flytekit_ext.PythonFunctionTask,
    "PythonInstanceTask": flytekit_ext.PythonInstanceTask,
}


def load_twin(source: str, module_name: str, names: Dict[str, Any]) -> ModuleType:
    """Execute ``tests/<source>`` as the module ``module_name``, with ``names`` set as its globals first."""
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, HERE / source)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    vars(module).update(names)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module
