"""Writing reading summaries (``onboarding.summary``): recompute the rows of chosen shifts'
people and rotations from scratch."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from onboarding import facts, readiness, summary
from onboarding.models import Acknowledgement, ReadingSummary
from rotation.models import Shift

# How far ahead ``allhands notify`` keeps summaries fresh: a default report's window.
REFRESH_AHEAD = timedelta(weeks=8)


def refresh(session: Session, *, where: Sequence[ColumnElement[bool]], now: datetime) -> int:
    """Recompute the rows of every (person, rotation) on the shifts matching ``where``.

    Concurrent refreshes may interleave: each row carries what it was computed from, so a
    row written from older facts is simply not believed. Returns the number of rows.
    """
    loaded = facts.load_facts(session, where=where, summarized=False)
    by_rotation = readiness.group_requirements(loaded.requirements)
    required = readiness.required_by_rotation(
        by_rotation, card_sets=loaded.card_sets, cards=loaded.card_facts
    )
    digests = summary.fingerprints(
        loaded.requirements, card_sets=loaded.card_sets, cards=loaded.card_facts
    )
    pairs = {
        (shift.person_id, shift.rotation_id)
        for shift in loaded.shift_facts
        if shift.person_id is not None
    }
    if not pairs:
        return 0
    latest: dict[int, int] = {
        person_id: last
        for person_id, last in session.execute(
            select(Acknowledgement.person_id, func.max(Acknowledgement.id))
            .where(
                Acknowledgement.person_id.in_(
                    select(Shift.person_id).where(*summary.with_person(where))
                )
            )
            .group_by(Acknowledgement.person_id)
        )
    }
    rows = []
    for person_id, rotation_id in sorted(pairs):
        read = loaded.acks.get(person_id, readiness.NOTHING_READ)
        missing = [
            card_id
            for card_id in required.get(rotation_id, [])
            if loaded.card_facts[card_id].version not in read.get(card_id, readiness.NO_VERSION)
        ]
        rows.append(
            {
                "person_id": person_id,
                "rotation_id": rotation_id,
                "fingerprint": digests.get(rotation_id, summary.NO_CARDS),
                "missing": " ".join(map(str, missing)),
                "through": latest.get(person_id, 0),
                "updated_at": now,
            }
        )
    for offset in range(0, len(rows), 500):
        _upsert(session, rows[offset : offset + 500])
    return len(rows)


def refresh_person(session: Session, *, person_id: int, now: datetime) -> int:
    """Recompute the person's rows for their live shifts not yet ended (after reading)."""
    return refresh(
        session,
        where=facts.live_shift_conditions(Shift.person_id == person_id, Shift.end > now),
        now=now,
    )


def refresh_ahead(session: Session, *, now: datetime, ahead: timedelta = REFRESH_AHEAD) -> int:
    """Recompute the rows of every live shift from now to ``ahead`` (the periodic job)."""
    return refresh(
        session,
        where=facts.live_shift_conditions(Shift.start < now + ahead, Shift.end > now),
        now=now,
    )


def forget(session: Session) -> None:
    """Drop every row (tests and benchmarks: the reports must not change)."""
    session.execute(delete(ReadingSummary))


def _upsert(session: Session, rows: list[dict[str, object]]) -> None:
    insert = (
        postgresql.insert(ReadingSummary)
        if session.get_bind().dialect.name == "postgresql"
        else sqlite.insert(ReadingSummary)
    )
    statement = insert.values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=[ReadingSummary.person_id, ReadingSummary.rotation_id],
        set_={
            name: statement.excluded[name]
            for name in ("fingerprint", "missing", "through", "updated_at")
        },
    )
    session.execute(statement)
