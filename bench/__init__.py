"""Benchmarks and load/fault scripts; run one with ``python -m bench <name>``."""
