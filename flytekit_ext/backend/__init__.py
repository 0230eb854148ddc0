"""Eager runs on a Flyte backend: the controller that launches children, and cleaning up after them."""
