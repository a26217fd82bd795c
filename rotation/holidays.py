"""Public holidays from the ``holidays`` package, joined with the company's own days off.

A rotation names a calendar (country, optional subdivision) and a policy: ``skip`` leaves the
day without coverage, ``staff`` covers it as usual (those hours count double in fairness). A
person may name their own country; rotations that treat people's holidays as time off then
keep them off shift on those days. Pure: no database, no web.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Literal

from core.holiday_codes import check_country, check_subdivision

Policy = Literal["skip", "staff"]
POLICIES: tuple[Policy, ...] = ("skip", "staff")
# Names in English whatever the country's own language; calendars without it keep theirs.
LANGUAGE = "en_US"


@dataclass(frozen=True, slots=True)
class HolidayRule:
    """A rotation's holiday calendar and what it does on those days."""

    country: str
    subdivision: str | None
    policy: Policy

    @classmethod
    def checked(cls, *, country: str, subdivision: str | None, policy: str) -> HolidayRule:
        """The rule with codes normalised; ValueError naming the field that is wrong."""
        try:
            code = check_country(country)
        except ValueError as exc:
            raise ValueError(f"country: {exc}") from None
        area = None
        if subdivision is not None and subdivision.strip():
            try:
                area = check_subdivision(code, subdivision)
            except ValueError as exc:
                raise ValueError(f"subdivision: {exc}") from None
        if policy not in POLICIES:
            raise ValueError('policy: must be "skip" (no coverage) or "staff" (covered)')
        return cls(country=code, subdivision=area, policy=policy)


@dataclass(frozen=True, slots=True)
class Holiday:
    day: date
    name: str


@lru_cache(maxsize=1024)
def _year(country: str, subdivision: str | None, year: int) -> tuple[tuple[date, str], ...]:
    import holidays as holiday_calendars  # on first use, as ``core.holiday_codes`` does

    calendar = holiday_calendars.country_holidays(
        country, subdiv=subdivision, years=year, language=LANGUAGE
    )
    return tuple(sorted(calendar.items()))


def public_holidays(
    country: str, subdivision: str | None, first: date, last: date
) -> dict[date, str]:
    """The calendar's holidays from ``first`` to ``last`` (inclusive), by day."""
    found: dict[date, str] = {}
    for year in range(first.year, last.year + 1):
        for day, name in _year(country, subdivision, year):
            if first <= day <= last:
                found[day] = name
    return found


def rotation_holidays(
    rule: HolidayRule | None,
    *,
    company_days: Mapping[date, str],
    first: date,
    last: date,
) -> list[Holiday]:
    """The rotation's holidays in [first, last]: its calendar plus the company's days off.

    A rotation without a holiday calendar has none: company days off follow the rotation's
    policy, so they need one to say what happens on them.
    """
    if rule is None:
        return []
    days = public_holidays(rule.country, rule.subdivision, first, last)
    for day, name in company_days.items():
        if first <= day <= last:
            days[day] = f"{days[day]}; {name}" if day in days else name
    return [Holiday(day=day, name=days[day]) for day in sorted(days)]


def skipped_days(rule: HolidayRule | None, holidays: Iterable[Holiday]) -> frozenset[date]:
    """The days the rotation leaves uncovered: its holidays, under the ``skip`` policy."""
    if rule is None or rule.policy != "skip":
        return frozenset()
    return frozenset(holiday.day for holiday in holidays)


def next_holiday(
    rule: HolidayRule | None, *, company_days: Mapping[date, str], today: date
) -> Holiday | None:
    """The first of the rotation's holidays from ``today`` on, looking a year ahead."""
    found = rotation_holidays(
        rule, company_days=company_days, first=today, last=today + timedelta(days=366)
    )
    return found[0] if found else None


def own_holidays(country: str | None, first: date, last: date) -> list[date]:
    """A person's own public holidays in [first, last] (none without a country)."""
    if not country:
        return []
    return sorted(public_holidays(country, None, first, last))
