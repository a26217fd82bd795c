"""ORM models of rotation."""

from __future__ import annotations
