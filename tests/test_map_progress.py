"""A long local map shows a progress bar on a terminal, and prints nothing when not attached to one."""

import textwrap

from tests.terminal import run_script

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
    return run_script(path, terminal=terminal)


def test_progress_bar_on_a_terminal(tmp_path):
    shown = _run(tmp_path, terminal=True)
    assert "squaring-batch" in shown
    assert "━" in shown or "%" in shown  # rich's bar


def test_no_progress_output_without_a_terminal(tmp_path):
    assert "squaring-batch" not in _run(tmp_path, terminal=False)
