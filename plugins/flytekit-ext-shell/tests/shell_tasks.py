"""Module-level shell tasks for the tests (the resolver finds instance tasks by module and variable name)."""

from flytekit import kwtypes
from flytekit.types.directory import FlyteDirectory
from flytekit.types.file import FlyteFile
from flytekit_ext_shell import ShellTask

count_matches = ShellTask(
    name="count_matches",
    script="grep -c -- {inputs.pattern} {inputs.infile} > {outputs.count_file}; echo counted {inputs.pattern}",
    inputs=kwtypes(pattern=str, infile=FlyteFile),
    outputs=kwtypes(count_file=FlyteFile, stdout=str),
)

echo = ShellTask(
    name="echo",
    script="printf '%s' {inputs.text}",
    inputs=kwtypes(text=str),
    outputs=kwtypes(stdout=str),
)

greet = ShellTask(
    name="greet",
    script='printf "%s, %s" "$GREETING" {inputs.who} > {outputs.message}; wc -c < {inputs.infile} > {outputs.size}',
    inputs=kwtypes(who=str, infile=FlyteFile),
    outputs=kwtypes(message=str, size=int),
    env={"GREETING": "hello"},
)

split_words = ShellTask(
    name="split_words",
    script='for w in {inputs.words}; do printf \'%s\' "$w" > {outputs.folder}/"$w".txt; done',
    inputs=kwtypes(words=list[str]),
    outputs=kwtypes(folder=FlyteDirectory),
)

fails = ShellTask(
    name="fails",
    script="echo first line >&2; echo {inputs.why} >&2; exit 3",
    inputs=kwtypes(why=str),
)

forgets_output = ShellTask(
    name="forgets_output",
    script="echo not writing it",
    outputs=kwtypes(report=FlyteFile),
)

count_in = ShellTask(
    name="count_in",
    script="grep -c -- {inputs.pattern} {inputs.infile}",
    inputs=kwtypes(pattern=str, infile=FlyteFile),
    outputs=kwtypes(stdout=str),
)
