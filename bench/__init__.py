"""Benchmarks: runnable modules that print their figures next to a baseline from the same run."""
