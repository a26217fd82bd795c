"""Duty as readers see it: who is on call now, feed events and page facts, inside the windows.

A shift runs handoff to handoff; what callers are shown is its duty: the shift within the
rotation's coverage windows, minus holidays its policy skips (``rotation.coverage``). Each
entry point reads the rotation's rules with a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.i18n import DEFAULT
from rotation import coverage, duty_settings, holidays
from rotation import service as rotation_service
from rotation.feed.render import FeedShift
from rotation.models import CompanyDayOff, Rotation, Shift

# Days are local; a day either side of a span catches every zone's date for it.
_SLACK = timedelta(days=1)


def company_days(session: Session, *, first: date, last: date) -> dict[date, str]:
    """The company's days off from ``first`` to ``last``, by day (one query)."""
    rows = session.execute(
        select(CompanyDayOff.day, CompanyDayOff.name).where(
            CompanyDayOff.day >= first, CompanyDayOff.day <= last
        )
    )
    return {day: name for day, name in rows}


def rotation_holidays(
    session: Session, *, rotation: Rotation, first: date, last: date
) -> list[holidays.Holiday]:
    """The rotation's holidays (its calendar and the company's days off) in [first, last]."""
    rule = duty_settings.rule_of(rotation)
    if rule is None:
        return []
    days = company_days(session, first=first, last=last)
    return holidays.rotation_holidays(rule, company_days=days, first=first, last=last)


def _rules(rotation: Rotation, found: Iterable[holidays.Holiday]) -> coverage.DutyRules:
    return coverage.DutyRules(
        timezone=rotation.timezone,
        windows=duty_settings.windows_of(rotation),
        skip_days=holidays.skipped_days(duty_settings.rule_of(rotation), found),
    )


def rules_for(
    session: Session, *, rotation: Rotation, start: datetime, end: datetime
) -> coverage.DutyRules:
    """The rotation's duty rules for the span [start, end)."""
    first, last = (start - _SLACK).date(), (end + _SLACK).date()
    rule = duty_settings.rule_of(rotation)
    found = (
        rotation_holidays(session, rotation=rotation, first=first, last=last)
        if rule is not None and rule.policy == "skip"
        else []
    )
    return _rules(rotation, found)


def on_call(session: Session, *, rotation: Rotation, at: datetime) -> list[Shift]:
    """The shifts on duty at ``at``: under way, and ``at`` inside the coverage."""
    shifts = rotation_service.on_call(session, rotation=rotation, at=at)
    if not shifts:
        return shifts
    rules = rules_for(session, rotation=rotation, start=at, end=at)
    return shifts if coverage.on_duty(rules, at) else []


def duty_spans(
    session: Session, *, rotation: Rotation, shifts: Sequence[Shift]
) -> dict[int, list[coverage.Span]]:
    """Each shift's duty spans, by shift id."""
    if not shifts:
        return {}
    rules = rules_for(
        session,
        rotation=rotation,
        start=min(s.start for s in shifts),
        end=max(s.end for s in shifts),
    )
    return {shift.id: coverage.duty_spans(rules, shift.start, shift.end) for shift in shifts}


def on_duty_by_rotation(
    session: Session,
    *,
    rotations: Sequence[Rotation],
    on_call: dict[int, list[Shift]],
    at: datetime,
) -> dict[int, list[Shift]]:
    """``on_call`` (shifts under way by rotation id) kept only where ``at`` is on duty.

    One query (the company's days off) whatever the number of rotations.
    """
    days = company_days(session, first=(at - _SLACK).date(), last=(at + _SLACK).date())
    kept = dict(on_call)
    for rotation in rotations:
        rule = duty_settings.rule_of(rotation)
        if not rotation.coverage and (rule is None or rule.policy != "skip"):
            continue
        found = holidays.rotation_holidays(
            rule, company_days=days, first=(at - _SLACK).date(), last=(at + _SLACK).date()
        )
        if not coverage.on_duty(_rules(rotation, found), at):
            kept[rotation.id] = []
    return kept


# --- feeds ----------------------------------------------------------------------------------


def piece_uid(uid: str, start: datetime) -> str:
    """The UID of one covered window of a shift: the shift's UID and the window's start."""
    return f"{uid}-{coverage.utc_stamp(start)}"


def feed_pieces(session: Session, shifts: list[FeedShift]) -> list[FeedShift]:
    """A feed's shifts with windowed rotations' shifts cut to one event per covered window.

    Rotations covered around the clock without skipped holidays keep one event per shift.
    Two queries (the rotations, the company's days off) whatever the feed's length.
    """
    slugs = {shift.rotation_slug for shift in shifts}
    if not slugs:
        return shifts
    rotations = {
        rotation.slug: rotation
        for rotation in session.scalars(select(Rotation).where(Rotation.slug.in_(slugs)))
        if rotation.coverage or rotation.holiday_policy == "skip"
    }
    if not rotations:
        return shifts
    first = min(s.start for s in shifts).date() - _SLACK
    last = max(s.end for s in shifts).date() + _SLACK
    days = company_days(session, first=first, last=last)
    rules = {
        slug: _rules(
            rotation,
            holidays.rotation_holidays(
                duty_settings.rule_of(rotation), company_days=days, first=first, last=last
            ),
        )
        for slug, rotation in rotations.items()
    }
    pieces: list[FeedShift] = []
    for shift in shifts:
        shift_rules = rules.get(shift.rotation_slug)
        if shift_rules is None or shift_rules.plain:
            pieces.append(shift)
            continue
        pieces.extend(
            replace(shift, uid=piece_uid(shift.uid, low), start=low, end=high)
            for low, high in coverage.duty_spans(shift_rules, shift.start, shift.end)
        )
    return pieces


# --- page facts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class HolidayFacts:
    """What the rotation page says about coverage and holidays."""

    coverage: str
    policy: str | None
    next_holiday: holidays.Holiday | None
    days: dict[date, str]


def page_facts(
    session: Session,
    *,
    rotation: Rotation,
    first: date,
    last: date,
    today: date,
    locale: str = DEFAULT,
) -> HolidayFacts:
    """Coverage in words, the next holiday, and the holidays in [first, last] (one query)."""
    rule = duty_settings.rule_of(rotation)
    ahead = today + timedelta(days=366)
    found = rotation_holidays(
        session, rotation=rotation, first=min(first, today), last=max(last, ahead)
    )
    upcoming = [h for h in found if h.day >= today]
    return HolidayFacts(
        coverage=coverage.describe(duty_settings.windows_of(rotation), locale=locale),
        policy=None if rule is None else rule.policy,
        next_holiday=upcoming[0] if upcoming else None,
        days={h.day: h.name for h in found if first <= h.day <= last},
    )


def local_today(rotation: Rotation, now: datetime) -> date:
    return now.astimezone(ZoneInfo(rotation.timezone)).date()
