"""A long local map shows a progress bar on a terminal, and prints nothing when not attached to one."""

import os
import pty
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import time
    import flytekit_ext

    @flytekit_ext.task
    def slow(x: int) -> int:
        time.sleep(0.05)
        return x

    results = list(flytekit_ext.map(slow, range(40), group_name="squaring-batch", concurrency=4))
    assert results == list(range(40))
    """
)


def _run(script_dir, *, terminal: bool) -> str:
    path = script_dir / "mapping.py"
    path.write_text(SCRIPT)
    env = {**os.environ, "COLUMNS": "100", "TERM": "xterm"}
    if not terminal:
        done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, env=env, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stderr
    main, child = pty.openpty()
    process = subprocess.Popen([sys.executable, str(path)], stdout=child, stderr=child, stdin=child, env=env)
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
    assert process.wait(timeout=120) == 0, b"".join(chunks).decode(errors="replace")
    os.close(main)
    return b"".join(chunks).decode(errors="replace")


def test_progress_bar_on_a_terminal(tmp_path):
    shown = _run(tmp_path, terminal=True)
    assert "squaring-batch" in shown
    assert "━" in shown or "%" in shown  # rich's bar


def test_no_progress_output_without_a_terminal(tmp_path):
    assert "squaring-batch" not in _run(tmp_path, terminal=False)
