"""VTIMEZONE components built from a zone's TZif transitions, in the form calendar apps write.

Years the zone follows its current yearly rule (the TZif footer) become one STANDARD and one
DAYLIGHT observance with a yearly RRULE; every other change in the feed's years (Morocco's
Ramadan weeks, a country moving its offset) is a dated observance of its own, and one more
dated observance gives the offset in effect when the feed's first year begins. Each dated
observance has only a DTSTART: ical.js ignores the DTSTART of an observance that has RDATEs
and all but the first date of an RDATE line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard, vRecur

from rotation.feed import tzif
from rotation.feed.tzif import LocalType, RuleDate, Transition, YearlyRule, ZoneData

# Before any recorded change: a DTSTART every parser accepts, far before any feed.
EPOCH = datetime(1970, 1, 1)  # noqa: DTZ001 - a wall-clock time, as DTSTART wants it
WEEKDAYS = ("SU", "MO", "TU", "WE", "TH", "FR", "SA")
DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Observance:
    """One STANDARD or DAYLIGHT sub-component: from ``onset`` (wall clock, old offset) on,
    ``after`` holds; ``rrule`` repeats it yearly."""

    onset: datetime
    before: LocalType
    after: LocalType
    daylight: bool
    rrule: dict[str, object] | None = None


def yearly_recurrence(date_rule: RuleDate) -> dict[str, object] | None:
    """The RRULE of a POSIX date rule, or None when RRULE cannot say it simply.

    A time past midnight (Chile's ``M9.1.6/24``, Israel's ``M3.4.4/26``) moves the change to
    a later weekday: "the Sunday after the first Saturday" is a Sunday on days 2 to 8.
    """
    shift = date_rule.time // DAY
    weekday = WEEKDAYS[(date_rule.weekday + shift) % 7]
    rule: dict[str, object] = {"FREQ": "YEARLY", "BYMONTH": date_rule.month}
    if shift == 0:
        ordinal = -1 if date_rule.week == 5 else date_rule.week
        rule["BYDAY"] = f"{ordinal}{weekday}"
        return rule
    if date_rule.week == 5:
        days = [day + shift for day in range(-7, 0)]  # counted from the month's end
        if max(days) >= 0:
            return None
    else:
        days = [day + shift for day in range(7 * date_rule.week - 6, 7 * date_rule.week + 1)]
        if min(days) < 1 or max(days) > 28:
            return None
    rule["BYDAY"] = weekday
    rule["BYMONTHDAY"] = days
    return rule


def _years_on_rule(
    rule: YearlyRule, changes: list[Transition], first_year: int, last_year: int
) -> int | None:
    """The first year from which every change up to ``last_year`` is the rule's own."""
    start: int | None = None
    for year in range(last_year, first_year - 1, -1):
        expected = [c for y in range(year, last_year + 1) for c in rule.transitions(y)]
        cut = expected[0].at
        actual = [(c.at, c.before.offset, c.after.offset) for c in changes if c.at >= cut]
        wanted = [(c.at, c.before.offset, c.after.offset) for c in expected]
        if actual != wanted:
            break
        start = year
    return start


def _is_summer(kind: LocalType, rule: YearlyRule | None) -> bool:
    """Whether ``kind`` is DAYLIGHT to clients, which take the larger offset for summer time
    (Dublin's rule names winter time its daylight saving time)."""
    negative = rule is not None and rule.daylight.offset < rule.standard.offset
    return kind.is_dst != negative


def _dated(change: Transition, rule: YearlyRule | None) -> Observance:
    return Observance(change.onset, change.before, change.after, _is_summer(change.after, rule))


def observances(zone: ZoneData, first_year: int, last_year: int) -> list[Observance]:
    """The observances that give the zone's offsets through ``first_year``..``last_year``."""
    window_start = datetime(first_year, 1, 1, tzinfo=UTC) - DAY
    window_end = datetime(last_year + 1, 1, 1, tzinfo=UTC) + DAY
    changes = tzif.transitions_between(zone, window_start, window_end)
    on_rule = None
    rules: list[dict[str, object] | None] = []
    if zone.rule is not None:
        rules = [yearly_recurrence(zone.rule.start), yearly_recurrence(zone.rule.end)]
        if None not in rules:
            on_rule = _years_on_rule(zone.rule, changes, first_year, last_year)
    opening = tzif.type_at(zone, window_start)
    result = [Observance(EPOCH, opening, opening, _is_summer(opening, zone.rule))]
    if on_rule is None or zone.rule is None:
        return result + [_dated(change, zone.rule) for change in changes]
    first_rule_change = zone.rule.transitions(on_rule)[0].at
    result.extend(_dated(c, zone.rule) for c in changes if c.at < first_rule_change)
    into, out = zone.rule.transitions(on_rule)[:2]
    for change in (into, out):
        recurrence = rules[0] if change.after is zone.rule.daylight else rules[1]
        summer = _is_summer(change.after, zone.rule)
        result.append(Observance(change.onset, change.before, change.after, summer, recurrence))
    return result


def timezone_component(tzid: str, first_year: int, last_year: int) -> Timezone:
    """The VTIMEZONE of ``tzid`` exact for every instant of ``first_year``..``last_year``."""
    timezone = Timezone()
    timezone.add("TZID", tzid)
    for observance in sorted(observances(tzif.zone_data(tzid), first_year, last_year), key=_order):
        part = TimezoneDaylight() if observance.daylight else TimezoneStandard()
        part.DTSTART = observance.onset
        part.add("TZNAME", observance.after.name)
        part.TZOFFSETFROM = observance.before.offset
        part.TZOFFSETTO = observance.after.offset
        if observance.rrule is not None:
            part.add("RRULE", vRecur(observance.rrule))
        timezone.add_component(part)
    return timezone


def _order(observance: Observance) -> tuple[datetime, bool]:
    return observance.onset, observance.daylight
