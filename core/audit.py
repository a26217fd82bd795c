"""Record audit events in the caller's unit of work."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, and_, false, func, insert, or_, select
from sqlalchemy.orm import Session

from core.models import AuditEvent, Person

_ABSENT = object()


def snapshot(subject: object, fields: Iterable[str]) -> dict[str, Any]:
    """A JSON-ready picture of ``fields`` of ``subject`` for before/after.

    Dates and instants become ISO 8601, times of day "HH:MM"; other values stay as they are.
    """
    picture: dict[str, Any] = {}
    for name in fields:
        value = getattr(subject, name)
        if isinstance(value, time):
            value = value.isoformat(timespec="minutes")
        elif isinstance(value, date):
            value = value.isoformat()
        picture[name] = value
    return picture


# What an event is about: (subject type, subject id), e.g. ("person", 12).
Subject = tuple[str, object]


@dataclass(frozen=True)
class Trail:
    """Who changes things and when, in the caller's unit of work: the audit events of a use case.

    ``Trail(session, actor=actor, at=now).record("card.create", ("card", card.id), after=…)``
    says who and when once, then what happened to which subject per event. Events commit or
    roll back with the change they describe.
    """

    session: Session
    actor: Person | None
    at: datetime

    def record(
        self,
        action: str,
        subject: Subject,
        *,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        note: str | None = None,
    ) -> AuditEvent:
        """Add one audit event about ``subject``."""
        event = AuditEvent(**self.values(action, subject, before=before, after=after, note=note))
        self.session.add(event)
        return event

    def values(self, action: str, subject: Subject, **fields: Any) -> dict[str, Any]:
        """The columns of the event ``record`` adds, for callers inserting many in one go."""
        subject_type, subject_id = subject
        return {
            "actor_id": self.actor.id if self.actor is not None else None,
            "action": action,
            "subject_type": subject_type,
            "subject_id": str(subject_id),
            "before": fields.get("before"),
            "after": fields.get("after"),
            "at": self.at,
            "note": fields.get("note"),
        }

    def record_change(
        self,
        action: str,
        subject: Subject,
        *,
        before: Mapping[str, Any],
        after: Mapping[str, Any],
        note: str | None = None,
    ) -> AuditEvent:
        """Add an event holding only the fields that differ between ``before`` and ``after``.

        Both are pictures of the subject (see ``snapshot``); a field on one side only counts as
        changed. An edit that changed nothing still leaves an event, with two empty pictures:
        someone asked for it. An empty ``before`` (a subject just created) is stored as none.
        """
        changed = [
            name
            for name in {**before, **after}
            if before.get(name, _ABSENT) != after.get(name, _ABSENT)
        ]
        return self.record(
            action,
            subject,
            before={name: before[name] for name in changed if name in before} if before else None,
            after={name: after[name] for name in changed if name in after},
            note=note,
        )


def list_events(
    session: Session, *, since: datetime | None = None, limit: int = 500, offset: int = 0
) -> list[AuditEvent]:
    """Newest first, optionally only those at or after ``since``; ``offset`` skips some."""
    query = (
        select(AuditEvent)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
        .offset(offset)
    )
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    return list(session.scalars(query))


# Rows per INSERT when many events are written at once: inside every backend's parameter limit.
_BATCH = 500


def record_many(session: Session, *, events: list[dict[str, Any]]) -> None:
    """Add many audit events (each a dict of AuditEvent columns) with multi-row inserts.

    For bulk imports: one event per imported row, written in a few statements. The table's
    own INSERT (not the ORM's bulk path) skips per-row ORM bookkeeping.
    """
    for offset in range(0, len(events), _BATCH):
        session.execute(insert(cast(Table, AuditEvent.__table__)), events[offset : offset + _BATCH])


@dataclass(frozen=True)
class EventFilter:
    """Which events a reader of the log asks for; every field left empty means any."""

    since: datetime | None = None
    until: datetime | None = None
    actor_id: int | None = None
    subject_type: str | None = None
    # (subject type, subject ids): an event about any of them, e.g. a rotation, its shifts
    # and its swaps.
    subjects: tuple[tuple[str, tuple[str, ...]], ...] | None = None


def page_of_events(
    session: Session, *, where: EventFilter, limit: int, offset: int
) -> tuple[list[AuditEvent], int]:
    """One page of the events ``where`` asks for, newest first, and how many there are."""
    conditions: list[ColumnElement[bool]] = []
    if where.since is not None:
        conditions.append(AuditEvent.at >= where.since)
    if where.until is not None:
        conditions.append(AuditEvent.at < where.until)
    if where.actor_id is not None:
        conditions.append(AuditEvent.actor_id == where.actor_id)
    if where.subject_type is not None:
        conditions.append(AuditEvent.subject_type == where.subject_type)
    if where.subjects is not None:
        conditions.append(
            or_(
                false(),
                *(
                    and_(AuditEvent.subject_type == kind, AuditEvent.subject_id.in_(ids))
                    for kind, ids in where.subjects
                    if ids
                ),
            )
        )
    total = session.scalar(select(func.count()).select_from(AuditEvent).where(*conditions))
    events = session.scalars(
        select(AuditEvent)
        .where(*conditions)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(events), total or 0


def subject_types(session: Session) -> list[str]:
    """Every kind of subject the log has events about, for a filter."""
    return list(
        session.scalars(
            select(AuditEvent.subject_type).distinct().order_by(AuditEvent.subject_type)
        )
    )
