"""Import previews: an uploaded source checked in a dry run and kept until an admin applies it.

The preview stores the source itself, not the rows it would make, so applying it later runs
the import afresh against the data as it is then (and a re-import of the same source is a
no-op, through the source key).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Conflict, NotFound
from core.models import Person
from flows import schedule_import
from rotation.models import ScheduleImport


def create(
    session: Session,
    *,
    kind: str,
    text: str,
    filename: str,
    people_map: Mapping[str, str],
    now: datetime,
    actor: Person,
) -> ScheduleImport:
    """Dry-run the import and keep the source with its report; a bad file stores nothing."""
    report = schedule_import.run(
        session,
        kind=kind,
        text=text,
        name=filename,
        now=now,
        actor=actor,
        people_map=people_map,
        dry_run=True,
    )
    preview = ScheduleImport(
        kind=kind,
        filename=filename[:200],
        content=text,
        people_map=dict(people_map),
        report=report.as_dict(),
        created_by_id=actor.id,
        created_at=now,
    )
    session.add(preview)
    session.flush()
    return preview


def get(session: Session, preview_id: int) -> ScheduleImport:
    preview = session.get(ScheduleImport, preview_id)
    if preview is None:
        raise NotFound(f"import {preview_id} not found")
    return preview


def recent(session: Session, *, limit: int = 20) -> list[ScheduleImport]:
    """The latest previews, newest first."""
    return list(
        session.scalars(select(ScheduleImport).order_by(ScheduleImport.id.desc()).limit(limit))
    )


def apply(
    session: Session, *, preview: ScheduleImport, now: datetime, actor: Person
) -> ScheduleImport:
    """Run the import for real; a preview is applied once."""
    if preview.applied_at is not None:
        raise Conflict(f"import {preview.id} was already applied")
    report = schedule_import.run(
        session,
        kind=preview.kind,
        text=preview.content,
        name=preview.filename,
        now=now,
        actor=actor,
        people_map=preview.people_map,
    )
    preview.report = report.as_dict()
    preview.applied_at = now
    session.flush()
    return preview
