"""The bodies both sides of the eager scale benchmark run (``eager_scale.py``).

Not imported as-is: ``scale_tasks_flytekit.py`` and ``scale_tasks_ext.py`` execute this file with flytekit's
``task``/``eager`` and with flytekit_ext's in their globals, so both sides register the very same source, as
module-level tasks that ``pyflyte-execute`` finds by module and name.
"""

# ruff: noqa: F821 - task and eager are in the globals of the module that executes this file
import asyncio
import time
import typing


def _status_kib(field: str) -> int:
    """A ``VmRSS``/``VmHWM`` figure of this process, in KiB (0 where /proc is not there)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _reset_peak() -> bool:
    """Start ``VmHWM`` again from the current RSS, so it measures the fan-out only."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
        return True
    except OSError:
        return False


@task
async def square(x: int) -> int:
    return x * x  # the double completes this child by itself (it computes x * x): this body never runs


@eager
async def fan_out(n: int) -> typing.List[int]:
    """Gather ``n`` children; returns their sum, the gather's milliseconds, the peak and starting RSS (KiB),
    and whether the peak was reset at the start (1) or covers the whole process (0)."""
    reset = _reset_peak()
    before = _status_kib("VmRSS")
    started = time.perf_counter()
    results = await asyncio.gather(*(square(x=i) for i in range(n)))
    elapsed = time.perf_counter() - started
    return [sum(results), round(elapsed * 1000), _status_kib("VmHWM"), before, int(reset)]
