"""What every factory does last."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.orm import Session

Row = TypeVar("Row")


def save(session: Session, row: Row) -> Row:
    """Add ``row`` and flush, so that it has its id (and its defaults) when returned."""
    session.add(row)
    session.flush()
    return row
