"""ShellTask in every calling context (no mocks: real /bin/bash), and end to end through pyflyte-execute."""

import asyncio
import functools
from pathlib import Path

import pytest
from flytekit import kwtypes, map_task
from flytekit.configuration import Image, ImageConfig, SerializationSettings
from flytekit.types.file import FlyteFile
from flytekit_ext_shell import ShellTask, ShellTaskError
from shell_tasks import count_in, count_matches, echo, fails, forgets_output, greet, split_words

import flytekit_ext
from flytekit_ext import eager, workflow
from flytekit_ext.testing import execute_task, package_tasks

HERE = Path(__file__).parent  # the tasks module's source root: pyflyte-execute imports it from here
run_in_pod = functools.partial(execute_task, source_root=HERE)


@pytest.fixture
def infile(tmp_path):
    path = tmp_path / "in.txt"
    path.write_text("an apple\nbanana\nan apple pie\ncherry\n")
    return path


def _injections(tmp_path: Path) -> list[str]:
    return [
        f"'; touch {tmp_path}/pwned #",
        "$(rm -rf x)",
        f"$(touch {tmp_path}/pwned2)",
        f"`touch {tmp_path}/pwned3`",
        'he said "hi" & it\'s\nsecond line; ls *',
    ]


def _read(file: FlyteFile) -> str:
    return Path(file.download()).read_text()


def test_top_level(infile):
    result = count_matches(pattern="an apple", infile=FlyteFile(str(infile)))
    assert _read(result.count_file).strip() == "2"
    assert result.stdout == "counted an apple\n"


def test_injection_arrives_verbatim_and_runs_nothing(tmp_path):
    (tmp_path / "x").mkdir()
    existed = Path("/tmp/pwned").exists()
    assert echo(text="'; touch /tmp/pwned #") == "'; touch /tmp/pwned #"
    assert Path("/tmp/pwned").exists() == existed
    for value in _injections(tmp_path):
        assert echo(text=value) == value
        assert echo.forward(text=value) == value
    assert (tmp_path / "x").is_dir()
    assert not any((tmp_path / n).exists() for n in ("pwned", "pwned2", "pwned3"))


def test_env_value_outputs_and_directory(infile):
    result = greet(who="Ann Lee", infile=FlyteFile(str(infile)))
    assert result.message == "hello, Ann Lee" and result.size == len(infile.read_bytes())
    folder = split_words(words=["one", "two words", "$(x)"])
    files = sorted(p.name for p in Path(folder.download()).iterdir())
    assert files == ["$(x).txt", "one.txt", "two words.txt"]


def test_in_workflow(infile):
    @workflow
    def wf(pattern: str, infile: FlyteFile) -> str:
        counted = count_matches(pattern=pattern, infile=infile)
        return echo(text=counted.stdout)

    assert wf(pattern="apple", infile=FlyteFile(str(infile))) == "counted apple\n"


def test_in_eager(infile, tmp_path):
    @eager
    async def pipeline(words: list[str]) -> list[str]:
        return list(await asyncio.gather(*(echo.aio(text=w) for w in words)))

    words = _injections(tmp_path)
    assert asyncio.run(pipeline(words=words)) == words
    assert not (tmp_path / "pwned").exists()


def test_forward(infile):
    result = count_matches.forward(pattern="banana", infile=FlyteFile(str(infile)))
    assert _read(result.count_file).strip() == "1" and result.stdout == "counted banana\n"
    assert count_matches.forward(pattern="cherry", infile=str(infile)).stdout == "counted cherry\n"


def test_flytekit_map_task_over_one_list_input(tmp_path):
    @workflow
    def wf(texts: list[str]) -> list[str]:
        return map_task(echo)(text=texts)

    texts = ["a b", *_injections(tmp_path)]
    assert wf(texts=texts) == texts
    assert not (tmp_path / "pwned").exists()


def test_flytekit_map_task_with_a_bound_file(infile):
    # map_task names the array node after the variable the task is assigned to: the task is module-level.
    @workflow
    def wf(patterns: list[str]) -> list[str]:
        return map_task(functools.partial(count_in, infile=FlyteFile(str(infile))))(pattern=patterns)

    assert wf(patterns=["apple", "an", "cherry"]) == ["2\n", "3\n", "1\n"]


def test_flytekit_ext_map(tmp_path):
    texts = _injections(tmp_path)
    assert list(flytekit_ext.map(echo, texts)) == texts


def test_override_and_relative_path_in_forward(infile, monkeypatch):
    assert echo.override(short_name="say")(text="x y") == "x y"
    monkeypatch.chdir(infile.parent)
    assert count_in.forward(pattern="apple", infile=infile.name) == "2\n"


def test_non_zero_exit_has_code_and_stderr_tail():
    with pytest.raises(ShellTaskError, match=r"(?s)exited with code 3.*first line\nit's bad"):
        fails(why="it's bad")


def test_missing_output_is_named():
    with pytest.raises(ShellTaskError, match="did not write its output 'report'"):
        forgets_output()


def test_template_checked_at_definition():
    with pytest.raises(ValueError, match=r"\{inputs.nope\} but no such input"):
        ShellTask(name="t1", script="echo {inputs.nope}", inputs=kwtypes(x=str))
    with pytest.raises(TypeError, match="declare it as str"):
        ShellTask(name="t2", script="true", outputs=kwtypes(stdout=int))
    braces = ShellTask(name="t3", script="x=1; echo ${x} | awk '{print $1}'", outputs=kwtypes(stdout=str))
    assert braces() == "1\n"


def test_missing_input_is_reported_before_running():
    with pytest.raises(TypeError, match="missing required input.*'infile'"):
        count_matches(pattern="x")


def test_get_custom_and_task_type():
    settings = SerializationSettings(image_config=ImageConfig(default_image=Image(name="d", fqn="img", tag="t")))
    assert count_matches.task_type == "shell-ext"
    assert greet.get_custom(settings) == {"script": greet.script, "shell": "/bin/bash", "env": {"GREETING": "hello"}}
    assert echo.get_command(settings)[-4:] == ["task-module", "shell_tasks", "task-name", "echo"]


def test_end_to_end_pyflyte_package_and_execute(tmp_path, infile):
    specs = package_tasks("shell_tasks", HERE, tmp_path)
    assert specs["count_matches"].template.type == "shell-ext"
    assert specs["count_matches"].template.custom["script"] == count_matches.script

    run = run_in_pod(
        specs["count_matches"],
        {"pattern": "an apple", "infile": FlyteFile(str(infile))},
        {"pattern": str, "infile": FlyteFile},
        tmp_path / "count",
    )
    assert run.error is None
    assert _read(run.output("count_file", FlyteFile)).strip() == "2"
    assert run.output("stdout", str) == "counted an apple\n"

    for i, value in enumerate(_injections(tmp_path)):
        run = run_in_pod(specs["echo"], {"text": value}, {"text": str}, tmp_path / f"echo{i}")
        assert run.error is None and run.output("stdout", str) == value
    assert not any((tmp_path / n).exists() for n in ("pwned", "pwned2", "pwned3"))

    run = run_in_pod(specs["fails"], {"why": "boom"}, {"why": str}, tmp_path / "fails")
    assert run.outputs is None and "exited with code 3" in run.error and "boom" in run.error

    run = run_in_pod(specs["forgets_output"], {}, {}, tmp_path / "forgets")
    assert run.outputs is None and "did not write its output 'report'" in run.error
