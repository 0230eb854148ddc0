"""Eager tasks' bodies: run here (children in this process) or on a Flyte backend (children as executions).

``bodies`` decides where a body runs; ``session`` sets up a backend run (its controller and signal
handlers) for every entry point; ``controller`` launches and awaits child executions; ``cleanup``
terminates the children a failed run left behind.
"""
