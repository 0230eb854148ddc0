"""Foundations every other layer stands on: contexts, loops, threads, signals, names, what code belongs to."""
