"""Flyte 2's own example programs (the flyte-sdk repository's ``examples/``), ported to flytekit_ext.

Each module is a short program written from one example's behaviour, naming it; the only change a Flyte 2
program needs is its import (``import flyte`` becomes ``import ... flyte_shim as flyte``). ``flyte_shim`` maps
the few Flyte 2 names flytekit_ext has no counterpart for (``TaskEnvironment``, ``run``) onto flytekit_ext, and
re-exports flytekit_ext's own (``map``, ``group``, ``trace``, ``errors``). ``tests/test_flyte2_examples.py``
runs each as ``python -m`` and checks it prints what Flyte 2 prints.
"""
