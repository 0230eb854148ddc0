# Ported from flyte-sdk examples/basics/map_with_partials.py: map over functools.partial of a task, with a keyword
# bound to the parameter the items would feed (a TypeError), and return_exceptions=False.
from functools import partial

from tests.flyte2_examples import flyte_shim as flyte

env = flyte.TaskEnvironment(name="map_partial")


@env.task
def my_task(name: str, constant_param: str, batch_id: str) -> str:
    print(name, constant_param, batch_id)
    return name


@env.task
def my_task_correct(batch_id: str, name: str, constant_param: str) -> str:
    print(name, constant_param, batch_id)
    return name


@env.task
def single_param_task(a: int) -> str:
    return f"{a}"


@env.task
def main():
    print(list(flyte.map(single_param_task, range(3))), flush=True)
    # batch_id is the first parameter, the only one left unbound: the items feed it.
    bound = partial(my_task_correct, constant_param="shared_config", name="daniel")
    print("\n".join(flyte.map(bound, [str(i) for i in range(3)], return_exceptions=False)), flush=True)
    try:
        # name, bound by keyword, is the first parameter: the one the items would feed.
        list(flyte.map(partial(my_task, constant_param="shared_config", name="daniel"), ["0"]))
    except TypeError as e:
        print(f"Caught expected TypeError: {e}")


if __name__ == "__main__":
    flyte.init_from_config()
    print(flyte.run(main).url)
