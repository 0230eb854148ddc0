"""Modules under test for the end-to-end tests: serialized by ``pyflyte package``, run by ``pyflyte-execute``."""
