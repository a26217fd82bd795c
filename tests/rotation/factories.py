"""Typed helpers that build rotations through the service, as the API would."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from core.models import Person
from rotation import members as roster
from rotation import service
from rotation.models import Rotation, Shift
from rotation.schemas import RotationCreate
from tests.conftest import DEFAULT_NOW
from tests.factories import make_person

# The Monday of the week DEFAULT_NOW falls in: weekly shifts from it are mid-shift "now".
MONDAY = date(2026, 11, 23)


def make_rotation(
    session: Session,
    *,
    name: str = "Tier two",
    members: Sequence[Person] = (),
    now: datetime = DEFAULT_NOW,
    **fields: Any,
) -> Rotation:
    fields.setdefault("timezone", "UTC")
    fields.setdefault("start_date", MONDAY)
    rotation = service.create_rotation(
        session, data=RotationCreate(name=name, **fields), now=now, actor=None
    )
    if members:
        roster.set_members(
            session, rotation=rotation, person_ids=[p.id for p in members], now=now, actor=None
        )
    return rotation


def make_people(session: Session, count: int, **fields: Any) -> list[Person]:
    return [make_person(session, **fields) for _ in range(count)]


def live_shifts(session: Session, rotation: Rotation) -> list[Shift]:
    session.expire_all()
    return list(
        session.scalars(
            select(Shift)
            .where(Shift.rotation_id == rotation.id, Shift.cancelled_at.is_(None))
            .order_by(Shift.start, Shift.slot)
        )
    )


def all_shifts(session: Session, rotation: Rotation) -> list[Shift]:
    session.expire_all()
    return list(
        session.scalars(
            select(Shift).where(Shift.rotation_id == rotation.id).order_by(Shift.start, Shift.id)
        )
    )


@contextmanager
def count_statements(session: Session) -> Iterator[list[str]]:
    """Every SQL statement run on the session's connection inside the block."""
    statements: list[str] = []
    connection = session.connection()

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(connection, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", before)
