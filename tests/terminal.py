"""Running a Python script as a user would: with its output on a terminal (a pseudo-terminal), or piped."""

import os
import pty
import subprocess
import sys
from pathlib import Path


def run_script(script: Path, *, terminal: bool, timeout: float = 120) -> str:
    """Everything ``script`` printed, stdout and stderr together; it must succeed."""
    env = {**os.environ, "COLUMNS": "100", "TERM": "xterm"}
    if not terminal:
        done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=timeout)
        assert done.returncode == 0, done.stderr
        return done.stdout + done.stderr
    main, child = pty.openpty()
    process = subprocess.Popen([sys.executable, str(script)], stdout=child, stderr=child, stdin=child, env=env)
    os.close(child)
    chunks = []
    while True:
        try:
            data = os.read(main, 4096)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    assert process.wait(timeout=timeout) == 0, b"".join(chunks).decode(errors="replace")
    os.close(main)
    return b"".join(chunks).decode(errors="replace")
