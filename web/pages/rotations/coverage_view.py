"""What the rotation page shows of coverage: the month grid's duty days, holiday facts."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from rotation import duty
from rotation.models import Rotation, Shift
from web.pages.rotations.visuals import Day


def keep_duty_days(
    session: Session, *, rotation: Rotation, shifts: list[Shift], grid: list[list[Day]], zone: str
) -> None:
    """Drop the month grid's entries on days without duty; time each day's first duty.

    A rotation covered around the clock keeps its grid as it is.
    """
    spans = duty.duty_spans(session, rotation=rotation, shifts=shifts)
    local = ZoneInfo(zone)
    for week in grid:
        for day in week:
            kept = []
            for entry in day.entries:
                found = spans.get(entry.shift.shift_id)
                if found is None or found == [(entry.shift.start, entry.shift.end)]:
                    kept.append(entry)
                    continue
                starts = [
                    low.astimezone(local)
                    for low, high in found
                    if low.astimezone(local).date() <= day.day
                    and (high - timedelta(microseconds=1)).astimezone(local).date() >= day.day
                ]
                if starts:
                    first = min(starts)
                    entry.starts_today = first.date() == day.day
                    entry.local_start = first.strftime("%H:%M")
                    kept.append(entry)
            day.entries = kept


def facts(
    session: Session, *, rotation: Rotation, first: date, last: date, now: datetime, locale: str
) -> duty.HolidayFacts:
    """Coverage in words, the next holiday and the month's holidays (rotation's calendar)."""
    return duty.page_facts(
        session,
        rotation=rotation,
        first=first,
        last=last,
        today=duty.local_today(rotation, now),
        locale=locale,
    )
