"""Renames reach calendar clients: a renamed rotation or person raises the affected events.

A shift's event text names its rotation and the people on it. Clients keep an event's old
text until its SEQUENCE rises, so a rename raises ``Shift.feed_revision`` (and
``updated_at``, which feeds show as DTSTAMP and LAST-MODIFIED) of every shift still in a
feed whose text names the renamed rotation or person. People are renamed from several places
(profile, people API and CSV import, SCIM), so this runs as a flush hook on the sessions.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, inspect, or_, select, tuple_, update
from sqlalchemy.orm import Session, sessionmaker

from core.models import Person
from rotation.models import Rotation, Shift

ROTATION_TEXT = ("name", "description")


def watch(sessions: sessionmaker[Session]) -> None:
    """Raise the affected events whenever one of ``sessions`` flushes a rename."""
    if not event.contains(sessions, "before_flush", _before_flush):
        event.listen(sessions, "before_flush", _before_flush)


def _changed(obj: object, names: tuple[str, ...]) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    rotations = [r for r in session.dirty if isinstance(r, Rotation) and _changed(r, ROTATION_TEXT)]
    people = [p for p in session.dirty if isinstance(p, Person) and _changed(p, ("name",))]
    if not rotations and not people:
        return
    # The rotation service stamps its edit; a person has no such stamp, so the wall clock.
    now = max([datetime.now(UTC), *(r.updated_at for r in rotations if r.updated_at)])
    raise_events(
        session,
        rotation_ids=[r.id for r in rotations if r.id is not None],
        person_ids=[p.id for p in people if p.id is not None],
        now=now,
    )


def raise_events(
    session: Session, *, rotation_ids: list[int], person_ids: list[int], now: datetime
) -> None:
    """Raise the feed revision of every shift whose event shows one of the rotations or names
    one of the people (their own shifts and the shifts they share).

    Past shifts too: which of them a feed still shows depends on the reader's clock.
    """
    shared = select(Shift.rotation_id, Shift.index).where(Shift.person_id.in_(person_ids))
    affected = or_(
        Shift.rotation_id.in_(rotation_ids),
        tuple_(Shift.rotation_id, Shift.index).in_(shared),
    )
    session.execute(
        update(Shift).where(affected).values(feed_revision=Shift.feed_revision + 1, updated_at=now),
        execution_options={"synchronize_session": False},
    )
