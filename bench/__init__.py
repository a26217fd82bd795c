"""Benchmarks: runnable modules printing their figures and ratios against a baseline."""
