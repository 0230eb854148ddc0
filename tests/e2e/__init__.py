"""End-to-end tests of the remote path (pyflyte package / pyflyte-execute) and the pyflyte CLI, without mocks."""
