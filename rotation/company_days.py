"""Company days off: dates the whole organisation is off, joining every holiday calendar."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from core import audit
from core.models import Person
from rotation.duty_schemas import CompanyDaysPut
from rotation.models import CompanyDayOff, Rotation


def list_days(session: Session) -> list[CompanyDayOff]:
    """Every company day off, earliest first."""
    return list(session.scalars(select(CompanyDayOff).order_by(CompanyDayOff.day)))


def set_days(
    session: Session, *, data: CompanyDaysPut, now: datetime, actor: Person | None
) -> list[CompanyDayOff]:
    """Replace the list of company days off.

    Rotations with a holiday calendar change what they cover on those days, so they are
    marked changed (``updated_at``) for every calendar feed built from them to be rebuilt.
    """
    before = [{"day": d.day.isoformat(), "name": d.name} for d in list_days(session)]
    session.execute(delete(CompanyDayOff))
    if data.days:
        session.execute(
            insert(CompanyDayOff),
            [{"day": item.day, "name": item.name, "created_at": now} for item in data.days],
        )
    session.execute(
        update(Rotation)
        .where(Rotation.holiday_country.is_not(None), Rotation.archived.is_(False))
        .values(updated_at=now)
        .execution_options(synchronize_session=False)
    )
    session.expire_all()
    days = list_days(session)
    audit.record(
        session,
        actor=actor,
        action="company_days_off.set",
        subject_type="company_days_off",
        subject_id="all",
        before={"days": before},
        after={"days": [{"day": d.day.isoformat(), "name": d.name} for d in days]},
        at=now,
    )
    return days
