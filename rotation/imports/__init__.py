"""Parsers that turn another tool's schedule export into a plain import plan (no database)."""
