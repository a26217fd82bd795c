"""Typed request parameters shared by routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

# Primary keys are 32-bit integers on PostgreSQL; a larger id cannot name a row, and passing
# it to the database would fail there (and overflow SQLite's driver) instead of giving a 4xx.
MAX_ID = 2**31 - 1

ObjectId = Annotated[int, Path(ge=1, le=MAX_ID)]
