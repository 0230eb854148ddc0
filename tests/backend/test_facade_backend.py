"""``flytekit_ext.flyte``'s ``flyte.run`` on a Flyte 1 cluster (the admin double): registered, launched through
FlyteRemote, outputs read back; an async parent's calls are child executions; files in and out."""

from __future__ import annotations

from pathlib import Path
from typing import List

import pytest

import flytekit_ext.flyte as flyte
from flytekit_ext.flyte.io import File

from . import fixtures_facade as fx

pytestmark = pytest.mark.backend

PROJECT, DOMAIN = "flytesnacks", "development"


@pytest.fixture
def double(admin_double_factory, monkeypatch):
    monkeypatch.setenv("FLYTEKIT_EXT_FLYTE_POLL_SECONDS", "0.2")
    double = admin_double_factory(extra_env={"FLYTEKIT_EXT_EAGER_MAX_POLL_SECONDS": "0.3"})
    flyte.init(endpoint=f"dns:///{double.endpoint}", insecure=True, project=PROJECT, domain=DOMAIN)
    yield double
    flyte.init()  # back to local runs


def in_image(version: str):
    # The double runs every task from the test's own environment: the code is in the "image" already.
    return flyte.with_runcontext(copy_style="none", version=version)


def test_an_async_parent_runs_and_its_calls_are_child_executions(double):
    run = in_image("v1").run(fx.main, n=3)
    assert run.outputs() == ([0, 2, 8],)
    assert run.url and run.name
    children = [e for e in double.executions if e.parent == run.name]
    assert sorted(c.entity.rsplit(".", 1)[-1] for c in children) == ["double"] * 3 + ["square"] * 3
    assert all(c.phase == "SUCCEEDED" for c in children)


def test_a_file_goes_in_and_comes_out(double, tmp_path):
    text = tmp_path / "text.txt"
    text.write_text("alpha\nbeta\ngamma\n")
    run = in_image("v1").run(fx.count_lines, text=File.from_local_sync(text))
    (counted,) = run.outputs()
    assert isinstance(counted, File) and counted.name == "count.txt"
    assert open(counted.download_sync()).read() == "3 lines, first: alpha"
    # The local file was uploaded through the cluster's data proxy before the run started.
    sent = double.remote(PROJECT, DOMAIN).fetch_execution(name=run.name).inputs.literals["text"].scalar.blob.uri
    assert sent != str(text) and "uploads" in sent


def test_tuple_and_named_tuple_values_round_trip(double):
    run = in_image("v1").run(fx.summarize, ("total", 1), extra=[2, 3])
    assert run.outputs() == ("total", 6)


def test_a_failed_run_raises_the_typed_error_and_a_parent_catches_a_childs(double):
    failed = in_image("v1").run(fx.fails, x=4)
    failed.wait()
    with pytest.raises(flyte.errors.RuntimeUserError) as raised:
        failed.outputs()
    assert raised.value.code == "ValueError" and str(raised.value) == "bad 4"
    assert in_image("v1").run(fx.catches, x=5).outputs() == ("RuntimeUserError ValueError: bad 5",)


def test_init_from_config_reads_the_endpoint_and_project(double, tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(f"admin:\n  endpoint: dns:///{double.endpoint}\n  insecure: true\ntask:\n  project: {PROJECT}\n")
    flyte.init_from_config(str(config))
    run = in_image("v2").run(fx.double, x=21)
    assert run.outputs() == (42,)
    assert double.execution(run.name).entity.endswith("double")


FAST_PROGRAMS = Path(__file__).parent / "fast_programs"


@pytest.fixture
def fanout(monkeypatch):
    monkeypatch.syspath_prepend(str(FAST_PROGRAMS))
    import fanout

    return fanout


def test_by_default_the_code_travels_in_a_bundle_unpacked_in_the_pod(double, fanout):
    flyte.init(endpoint=double.endpoint, insecure=True, project=PROJECT, domain=DOMAIN, root_dir=FAST_PROGRAMS)
    run = flyte.run(fanout.main, n=4)
    assert run.outputs() == ([0, 1, 4, 9],)
    parent = double.execution(run.name)
    assert list(double.work_root.glob("uploads/**/*.tar.gz")), "no code bundle was uploaded"
    children = [e for e in double.executions if e.parent == run.name]
    assert len(children) == 4 and all(c.phase == "SUCCEEDED" for c in children)
    # The pod imported the program from the bundle it unpacked, not from the test's folders.
    assert (parent.nodes[0].workdir / "fanout.py").exists()


def test_pyflyte_run_remote_runs_a_program_of_the_facade(double, tmp_path):
    import re
    import subprocess

    from tests.e2e import _support as support

    config = tmp_path / "config.yaml"
    config.write_text(f"admin:\n  endpoint: dns:///{double.endpoint}\n  insecure: true\n")
    args = [support.tool("pyflyte"), "--config", str(config), "run", "--remote", "fanout.py", "main", "--n", "3"]
    done = subprocess.run(
        args, cwd=FAST_PROGRAMS, env=support.subprocess_env(), capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (name,) = re.findall(r"executions/(\w+)", done.stdout)
    assert double.wait(name, timeout=180).phase == "SUCCEEDED", double.logs(name)
    outputs = double.remote(PROJECT, DOMAIN).fetch_execution(name=name).outputs
    assert outputs.get("o0", as_type=List[int]) == [0, 1, 4]


def test_the_runs_custom_context_reaches_its_task(double):
    run = flyte.with_runcontext(copy_style="none", version="v1", custom_context={"team": "maps"}).run(fx.team)
    assert run.outputs() == ("team=maps",)


def test_the_migration_pages_cluster_example_runs_as_it_says(double, tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[2] / "docs" / "examples"))
    monkeypatch.syspath_prepend(str(FAST_PROGRAMS))
    monkeypatch.chdir(FAST_PROGRAMS)  # the root the code is bundled from
    import fanout
    import flyte2_on_a_cluster as example

    assert example.launch(double.endpoint, fanout.main, n=3) == ([0, 1, 4],)
    config = tmp_path / "config.yaml"
    config.write_text(f"admin:\n  endpoint: dns:///{double.endpoint}\n  insecure: true\n")
    assert example.launch_prebuilt(str(config), "v3", fx.double, x=4) == (8,)


def test_a_retried_parent_replays_its_durable_time_and_sleep(double):
    run = in_image("v1").run(fx.waits_durably, seconds=2.0)
    started, second_sleep = run.outputs()
    (node,) = double.execution(run.name).nodes
    assert node.attempts == 2
    # The second attempt got the first attempt's clock reading, and did not sleep the 2 s again.
    second_attempt_began = (node.workdir / "attempt-1" / "inputs.pb").stat().st_mtime
    assert started < second_attempt_began - 2.0 and second_sleep < 1.0
