"""Company days off: dates the whole organisation is off, joining every holiday calendar.

Days come from two places: the list set over the API (``manual``) and the company's own
iCalendar feed read by the periodic job (``calendar``). Each replaces only its own days; a
day set by hand wins over the same day in the calendar.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ColumnElement, delete, insert, select, update
from sqlalchemy.orm import Session

from core import audit
from core.models import Person
from rotation.duty_schemas import CompanyDaysPut
from rotation.models import CompanyDayOff, Rotation

MANUAL = "manual"
CALENDAR = "calendar"


def list_days(session: Session) -> list[CompanyDayOff]:
    """Every company day off, earliest first."""
    return list(session.scalars(select(CompanyDayOff).order_by(CompanyDayOff.day)))


def set_days(
    session: Session, *, data: CompanyDaysPut, now: datetime, actor: Person | None
) -> list[CompanyDayOff]:
    """Replace the days off set by hand (the calendar's days stay, but for those set here)."""
    wanted = {item.day: item.name for item in data.days}
    gone = (CompanyDayOff.source == MANUAL) | CompanyDayOff.day.in_(wanted)
    return _replace(session, gone=gone, days=wanted, source=MANUAL, now=now, actor=actor)


def set_calendar_days(
    session: Session, *, days: dict[date, str], now: datetime, url: str
) -> list[CompanyDayOff]:
    """Replace the days read from the company's calendar; days set by hand keep theirs."""
    manual = set(session.scalars(select(CompanyDayOff.day).where(CompanyDayOff.source == MANUAL)))
    wanted = {day: name for day, name in days.items() if day not in manual}
    current = {
        (row.day, row.name)
        for row in session.scalars(select(CompanyDayOff).where(CompanyDayOff.source == CALENDAR))
    }
    if current == set(wanted.items()):
        return list_days(session)
    return _replace(
        session,
        gone=CompanyDayOff.source == CALENDAR,
        days=wanted,
        source=CALENDAR,
        now=now,
        actor=None,
        note=f"read from {url}",
    )


def _replace(
    session: Session,
    *,
    gone: ColumnElement[bool],
    days: dict[date, str],
    source: str,
    now: datetime,
    actor: Person | None,
    note: str | None = None,
) -> list[CompanyDayOff]:
    """Delete ``gone``, insert ``days``, and mark the rotations whose calendars they join.

    Rotations with a holiday calendar change what they cover on those days, so they are
    marked changed (``updated_at``) for every calendar feed built from them to be rebuilt.
    """
    before = _listed(list_days(session))
    session.execute(delete(CompanyDayOff).where(gone))
    if days:
        session.execute(
            insert(CompanyDayOff),
            [
                {"day": day, "name": name, "source": source, "created_at": now}
                for day, name in days.items()
            ],
        )
    session.execute(
        update(Rotation)
        .where(Rotation.holiday_country.is_not(None), Rotation.archived.is_(False))
        .values(updated_at=now)
        .execution_options(synchronize_session=False)
    )
    session.expire_all()
    after = list_days(session)
    audit.Trail(session, actor=actor, at=now).record(
        "company_days_off.set",
        ("company_days_off", source),
        before={"days": before},
        after={"days": _listed(after)},
        note=note,
    )
    return after


def _listed(days: list[CompanyDayOff]) -> list[dict[str, str]]:
    return [{"day": d.day.isoformat(), "name": d.name, "source": d.source} for d in days]
