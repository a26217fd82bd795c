"""What the rotation page shows of coverage: duty pieces in the month grid, holiday facts."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from sqlalchemy.orm import Session

from rotation import duty
from rotation.models import Rotation, Shift
from web.pages.rotations.visuals import GridShift


def duty_grid(
    session: Session, *, rotation: Rotation, shifts: list[Shift], grid: list[GridShift]
) -> list[GridShift]:
    """The grid's shifts cut to their duty: a day outside every window shows nobody."""
    spans = duty.duty_spans(session, rotation=rotation, shifts=shifts)
    return [
        replace(entry, start=low, end=high)
        for entry in grid
        for low, high in spans.get(entry.shift_id, [(entry.start, entry.end)])
    ]


def facts(
    session: Session, *, rotation: Rotation, first: date, last: date, now: datetime
) -> duty.HolidayFacts:
    """Coverage in words, the next holiday and the month's holidays (rotation's calendar)."""
    return duty.page_facts(
        session,
        rotation=rotation,
        first=first,
        last=last,
        today=duty.local_today(rotation, now),
    )
