"""Tests of flows: the CLI, periodic jobs, the demo and backups."""
