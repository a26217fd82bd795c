"""Typed request parameters shared by routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

from core.db import MAX_ID

ObjectId = Annotated[int, Path(ge=1, le=MAX_ID)]
