"""Flyte 2 programs of the project's own, written against ``flytekit_ext.flyte`` (``import flytekit_ext.flyte as
flyte``): each is what a Flyte 2 program would be with its import changed. ``tests/test_flyte2_examples.py`` runs
each as a script and checks it prints what Flyte 2 (2.12.1) prints for it with ``import flyte``, serializes each
with ``pyflyte package``, and runs one with ``pyflyte run``.
"""
