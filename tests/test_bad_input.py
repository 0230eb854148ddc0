"""Bad input gets a clear error naming the task and the input, of the type flytekit raises."""

import asyncio
import functools
import gc
import inspect
import re
import subprocess
import sys
import textwrap
import traceback
import typing
import warnings

import flytekit
import pytest
from flytekit.core.type_engine import TypeTransformerFailedError

import flytekit_ext
from flytekit_ext import eager, task


@task
def add(x: int, y: int = 0) -> int:
    return x + y


@task
async def async_add(x: int) -> int:
    return x


def test_wrong_input_type_names_task_and_input():
    with pytest.raises(TypeTransformerFailedError, match=r"(?s)inputs of task '.*add'.*argument 'x'"):
        add(x="one")


def test_missing_input_names_task_and_input_and_the_call_to_make():
    with pytest.raises(
        TypeError, match=r"Task '.*add' is missing required input\(s\): 'x' \(int\)\. Pass them: add\(x=\.\.\.\)\.$"
    ):
        add()
    with pytest.raises(TypeError, match=r"'x' \(int\)\. Pass them: add\(x=\.\.\., y=\.\.\.\)\.$"):
        add(y=1)


def test_unknown_input_is_an_assertion_error_like_flytekit_naming_the_inputs_and_the_call():
    with pytest.raises(
        AssertionError,
        match=r"unexpected keyword argument 'z' in function '.*add': its inputs are x, y: call it as add\(x=\.\.\., "
        r"y=\.\.\.\)\.$",
    ):
        add(x=1, z=2)


@task
def no_inputs() -> int:
    return 1


def test_an_argument_to_a_task_without_inputs_says_to_call_it_without():
    for call in (lambda: no_inputs(1), lambda: no_inputs(a=1)):
        with pytest.raises(TypeError, match=r"'.*no_inputs'.*: it has no inputs: call it as no_inputs\(\)\.$"):
            call()


def keyword_only_task(decorator, *names):
    """A task made as unionml makes its train task: a ``wrapper(*args, **kwargs)`` around a function taking
    ``**kwargs``, showing a ``__signature__`` of keyword-only parameters without defaults."""

    def train(**kwargs):
        return ",".join(sorted(kwargs))

    @functools.wraps(train)
    def wrapper(*args, **kwargs):
        return train(*args, **kwargs)

    parameters = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=dict) for name in names]
    wrapper.__signature__ = inspect.signature(wrapper).replace(parameters=parameters, return_annotation=str)
    wrapper.__annotations__ = {**{name: dict for name in names}, "return": str}
    return decorator(wrapper)


@pytest.mark.parametrize("decorator", [flytekit.task, flytekit_ext.task], ids=["flytekit", "flytekit_ext"])
def test_a_function_taking_kwargs_may_be_called_without_the_inputs_its_signature_shows(decorator):
    # flytekit calls the function with the inputs given, and a function taking **kwargs needs none of them:
    # flytekit_ext checks no more than flytekit does.
    train = keyword_only_task(decorator, "hyperparameters", "loader_kwargs", "splitter_kwargs")
    assert train(hyperparameters={"C": 1}) == "hyperparameters"
    assert (
        train(hyperparameters={}, loader_kwargs={}, splitter_kwargs={})
        == "hyperparameters,loader_kwargs,splitter_kwargs"
    )


def filled_in_task(decorator):
    """A task whose wrapper fills in an input the wrapped function needs, when the call leaves it out."""

    def train(hyperparameters: dict, seed: int) -> str:
        return f"{sorted(hyperparameters)} {seed}"

    @functools.wraps(train)
    def wrapper(seed: int = 0, **kwargs):
        return train(seed=seed, **kwargs)

    return decorator(wrapper)


@pytest.mark.parametrize("decorator", [flytekit.task, flytekit_ext.task], ids=["flytekit", "flytekit_ext"])
def test_an_input_a_wrapper_fills_in_may_be_left_out(decorator):
    train = filled_in_task(decorator)
    assert train(hyperparameters={"C": 1}) == "['C'] 0"
    assert train(hyperparameters={}, seed=3) == "[] 3"


def test_a_wrapper_of_a_function_that_needs_the_input_still_fails_early():
    # functools.wraps of a function whose parameter has no default: flytekit would fail inside the call.
    def train(hyperparameters: dict) -> str:
        return ",".join(hyperparameters)

    @functools.wraps(train)
    def wrapper(*args, **kwargs):
        return train(*args, **kwargs)

    wrapped = task(wrapper)
    assert wrapped(hyperparameters={"C": 1}) == "C"
    with pytest.raises(TypeError, match=r"Task '.*train' is missing required input\(s\): 'hyperparameters' \(dict\)"):
        wrapped()


def test_too_many_positional_arguments():
    with pytest.raises(
        AssertionError,
        match=r"more arguments than expected .* Expected 2 but got 3: its inputs are x, y: call it as add",
    ):
        add(1, 2, 3)


def test_same_input_twice():
    with pytest.raises(
        AssertionError, match=r"multiple values for argument 'x' .*: by position and by name\. Pass it once"
    ):
        add(1, x=2)


def test_bad_input_to_async_task_raises_at_call_not_at_await():
    with pytest.raises(TypeError, match="missing required input"):
        async_add()


def test_body_exception_keeps_its_type_and_names_the_task():
    @task
    def boom(x: int) -> int:
        if x:
            raise KeyError("missing thing")
        return x

    with pytest.raises(KeyError, match="Error encountered while executing '.*boom'"):
        boom(x=1)


def test_nested_function_in_non_test_module_is_rejected(tmp_path, monkeypatch):
    module = tmp_path / "nested_tasks_module.py"
    module.write_text(
        "from flytekit_ext import task\n"
        "def make():\n"
        "    @task\n"
        "    def inner(x: int) -> int:\n"
        "        return x\n"
        "    return inner\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    import nested_tasks_module

    with pytest.raises(ValueError, match="'make.<locals>.inner'.*nested"):
        nested_tasks_module.make()


def test_override_with_unknown_key_is_a_type_error_naming_it():
    with pytest.raises(TypeError, match="'colour'"):
        add.override(colour="red")


@eager
async def eager_bad(x: int) -> int:
    return add(x=str(x))  # type: ignore[arg-type]


def test_bad_input_inside_eager_names_the_child():
    with pytest.raises(TypeTransformerFailedError, match="argument 'x'"):
        asyncio.run(eager_bad(x=1))


def test_list_of_wrong_element_type():
    @task
    def total(xs: typing.List[int]) -> int:
        return sum(xs)

    with pytest.raises(TypeTransformerFailedError, match="argument 'xs'"):
        total(xs=["a"])


@eager
async def add_later(x: int) -> int:
    return add(x=x)


@task
def returns_the_eager_call(x: int) -> int:
    return add_later(x=x)  # a bug: a coroutine, never awaited


def test_a_sync_task_returning_an_async_call_names_it_and_says_what_to_do():
    # flytekit_ext used to fail converting the output: "got '<coroutine object InProcessRunner.run_async ...>'".
    expected = (
        r"Task '.*returns_the_eager_call' returned the coroutine '.*add_later\(\.\.\.\)' as its output 'o0', never "
        r"awaited: .* Make 'returns_the_eager_call' an async task \(or @eager\) .* asyncio\.run\(\.\.\.\)"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the coroutine is closed: no "never awaited" warning on top
        with pytest.raises(TypeError, match=expected):
            returns_the_eager_call(x=1)
        gc.collect()


@pytest.mark.parametrize("make_call", [lambda: async_add(x=1), lambda: add.aio(x=1)], ids=["call", "aio"])
def test_a_call_never_awaited_is_named_after_the_task_in_pythons_warning(make_call):
    # Python warns of a coroutine never awaited by its name: the task's call, not the runner's method.
    with pytest.warns(RuntimeWarning, match=r"coroutine '.*test_bad_input\.(async_add|add)\(\.\.\.\)' was never"):
        make_call()
        gc.collect()


@task
def forever(x: int) -> int:
    return forever(x=x + 1)


@task
def ping(x: int) -> int:
    return pong(x=x + 1)


@task
def pong(x: int) -> int:
    return ping(x=x + 1)


@eager
async def eager_forever(x: int) -> int:
    return await eager_forever(x=x + 1)


def _recursion_error(run):
    with pytest.raises(RecursionError) as raised:
        run()
    return raised.value


@pytest.mark.parametrize(
    "run, calls",
    [
        (lambda: forever(x=0), r"'.*test_bad_input\.forever' calls itself without end"),
        (lambda: ping(x=0), r"'.*test_bad_input\.(ping|pong)' -> '.*\.(ping|pong)' -> '.*\.(ping|pong)' without end"),
        (lambda: asyncio.run(eager_forever(x=0)), r"'.*test_bad_input\.eager_forever' calls itself without end"),
    ],
    ids=["itself", "through-another-task", "eager"],
)
def test_a_task_recursing_without_end_fails_with_one_short_message(run, calls):
    # It used to add a line per task call to the message (about 4,000 characters of the same line) and a
    # traceback of some 200,000 characters.
    error = _recursion_error(run)
    message = str(error)
    assert re.fullmatch(
        rf"Error encountered while executing '.*': maximum recursion depth exceeded.*, \d+ task calls deep: {calls}\. "
        r"A task that calls itself, directly or through other tasks, needs a case in which it returns without "
        r"calling again\.",
        message,
    ), message
    assert len(message) < 400
    assert len("".join(traceback.format_exception(error))) < 20_000


def test_a_recursing_task_with_retries_is_not_retried():
    # Retries of task calls nested in each other multiply: a recursing task with retries=1 ran 2 ** depth
    # attempts, half a second apart, and never ended.
    code = textwrap.dedent(
        """
        from flytekit_ext import task

        @task(retries=1)
        def forever(x: int) -> int:
            return forever(x=x + 1)

        try:
            forever(x=0)
        except RecursionError as error:
            print("raised:", type(error).__name__)
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    output = done.stdout + done.stderr  # flytekit's logger writes to either, by its configuration
    assert done.stdout.strip().splitlines()[-1] == "raised: RecursionError", output[-2000:]
    assert output.count("is not retried") == 1 and "retrying in" not in output
