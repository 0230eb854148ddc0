"""Running a task once its inputs are literals, locally and inside ``pyflyte-execute`` alike.

The dispatch driver and what it stands on: flytekit contexts entered without a shared stack, event loops and
worker threads, the literal round trip through flytekit's type engine, output metadata, and decks.
"""
