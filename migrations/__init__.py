"""Alembic migrations for every table, and the helpers the CLI and tests use to run them."""
