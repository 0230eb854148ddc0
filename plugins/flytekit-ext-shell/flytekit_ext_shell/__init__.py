"""Shell scripts as flytekit_ext tasks: ``ShellTask(name=..., script=..., inputs=..., outputs=...)``."""

from flytekit_ext_shell.task import ShellConfig, ShellTask, ShellTaskError

__all__ = ["ShellConfig", "ShellTask", "ShellTaskError"]
