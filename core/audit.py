"""Record audit events in the caller's unit of work."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import AuditEvent, Person


def record(
    session: Session,
    *,
    actor: Person | None,
    action: str,
    subject_type: str,
    subject_id: object,
    at: datetime,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str | None = None,
) -> AuditEvent:
    """Add one audit event; it commits or rolls back with the change it describes."""
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        before=before,
        after=after,
        at=at,
        note=note,
    )
    session.add(event)
    return event


def list_events(
    session: Session, *, since: datetime | None = None, limit: int = 500
) -> list[AuditEvent]:
    """Newest first, optionally only those at or after ``since``."""
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    return list(session.scalars(query))
