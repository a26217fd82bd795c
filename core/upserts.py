"""INSERT … ON CONFLICT on either database: the dialect's own INSERT, and an upsert."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import InstrumentedAttribute, Session

from core.db import Base


def insert(session: Session, model: type[Base]) -> postgresql.Insert | sqlite.Insert:
    """An INSERT into ``model``'s table in the session's dialect, which has ``on_conflict_*``."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)


def upsert(
    session: Session,
    model: type[Base],
    rows: Sequence[dict[str, object]],
    *,
    keys: Sequence[InstrumentedAttribute[Any]],
    update: Collection[str],
) -> None:
    """Insert ``rows``; a row whose ``keys`` are taken sets the ``update`` columns of the row
    there instead (of two writers at once, the later wins)."""
    if not rows:
        return
    statement = insert(session, model).values(list(rows))
    statement = statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: statement.excluded[name] for name in update},
    )
    session.execute(statement)
