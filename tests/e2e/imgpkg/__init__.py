"""Modules for the image tests: serialized by ``pyflyte package`` with and without flytekit's default image."""
