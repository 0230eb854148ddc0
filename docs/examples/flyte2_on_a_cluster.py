"""Running a Flyte 2 program's task on a Flyte 1 cluster, from Python: ``flyte.init`` with the cluster's endpoint,
then ``flyte.run``, which registers the task and launches it through flytekit's ``FlyteRemote``."""

import flytekit_ext.flyte as flyte


def launch(endpoint: str, task, **inputs):
    flyte.init(endpoint=f"dns:///{endpoint}", insecure=True, project="flytesnacks", domain="development")
    run = flyte.run(task, **inputs)  # registered with its code bundled (as pyflyte run --remote), launched
    print(run.name, run.url)
    run.wait()  # until the execution ends
    return run.outputs()  # its outputs; a failed run raises its typed error (flyte.errors.RuntimeUserError, ...)


def launch_prebuilt(config_file: str, version: str, task, **inputs):
    # With a flytectl/Flyte 2 configuration file, and an image that has the code already.
    flyte.init_from_config(config_file)
    return flyte.with_runcontext(copy_style="none", version=version).run(task, **inputs).outputs()
