"""The fast local path: a task call run in this process, from native values to native values."""
