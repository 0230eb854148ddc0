"""Times ``flyte.run`` of the fan-out program (fanout_bodies.py) in this interpreter, for bench.py.

    python fanout_child.py MODULE RUNS N     # MODULE: flyte (Flyte 2) or flytekit_ext.flyte (the facade)

Prints one JSON line: the seconds of each run (after one warm-up run) and the program's output.
"""

import importlib
import importlib.util
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> None:
    module_name, runs, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    flyte = importlib.import_module(module_name)
    flyte.init_from_config()
    env = flyte.TaskEnvironment(name="fanout_bench")
    spec = importlib.util.spec_from_file_location("fanout_program", os.path.join(HERE, "fanout_bodies.py"))
    program = importlib.util.module_from_spec(spec)
    program.task, program.parent, program.fan_map = env.task, env.task, flyte.map
    sys.modules["fanout_program"] = program
    spec.loader.exec_module(program)
    output = flyte.run(program.fanout, n=n).outputs()[0]  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        flyte.run(program.fanout, n=n).outputs()
        times.append(time.perf_counter() - started)
    print(json.dumps({"times": times, "output": output}))


if __name__ == "__main__":
    main()
