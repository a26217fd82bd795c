"""One wall-clock rule for every caller: a time inside a DST gap moves to the end of the gap
(the transition itself), an ambiguous one takes the first occurrence (DESIGN.md, "Time").

Checked on the kernel, through a rotation's handoffs and through onboarding due and assign
times, in zones whose changes are an hour at 02:00 (Amsterdam, New York), half an hour
(Lord Howe), at midnight (Santiago) and at a quarter to the hour (Chatham).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from core.wallclock import days_before, local_to_utc
from onboarding import readiness
from rotation.timeline import Cadence

SECOND = timedelta(seconds=1)


def _wall(instant: datetime, zone: ZoneInfo) -> datetime:
    """The wall time ``instant`` shows in ``zone``."""
    return instant.astimezone(zone).replace(tzinfo=None)


def utc(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


@dataclass(frozen=True)
class Case:
    zone: str
    day: date
    wall: time
    expected: datetime  # the rule's answer
    not_this: datetime  # the other reading: at the offset before the gap, or the second occurrence

    @property
    def id(self) -> str:
        return f"{self.zone}-{self.day}-{self.wall:%H%M}"


def case(zone: str, wall: str, expected: str, not_this: str) -> Case:
    local = datetime.fromisoformat(wall)
    return Case(
        zone,
        local.date(),
        local.time(),
        datetime.fromisoformat(expected),
        datetime.fromisoformat(not_this),
    )


# Offsets are worked out by hand in each comment, so the answers do not come from the code.
GAPS = [
    # 02:00 CET → 03:00 CEST at 01:00Z; 02:30 read at +01:00 would be 01:30Z.
    case("Europe/Amsterdam", "2026-03-29 02:30", "2026-03-29 01:00Z", "2026-03-29 01:30Z"),
    # 02:00 EST → 03:00 EDT at 07:00Z.
    case("America/New_York", "2026-03-08 02:30", "2026-03-08 07:00Z", "2026-03-08 07:30Z"),
    # 02:00 +10:30 → 02:30 +11:00 at 15:30Z the day before: a half-hour gap.
    case("Australia/Lord_Howe", "2026-10-04 02:15", "2026-10-03 15:30Z", "2026-10-03 15:45Z"),
    # Midnight -04:00 → 01:00 -03:00 at 04:00Z: that day starts at 01:00.
    case("America/Santiago", "2026-09-06 00:30", "2026-09-06 04:00Z", "2026-09-06 04:30Z"),
    # 02:45 +12:45 → 03:45 +13:45 at 14:00Z the day before.
    case("Pacific/Chatham", "2026-09-27 03:00", "2026-09-26 14:00Z", "2026-09-26 14:15Z"),
    # Midnight -10:00 → midnight +14:00 at 10:00Z: 2011-12-30 never happened in Samoa, and
    # noon read at -10:00 (22:00Z) would name noon of the 31st, a time that did.
    case("Pacific/Apia", "2011-12-30 12:00", "2011-12-30 10:00Z", "2011-12-30 22:00Z"),
]
REPEATS = [
    # 03:00 CEST → 02:00 CET at 01:00Z: 02:30 is 00:30Z (+02:00), then again 01:30Z (+01:00).
    case("Europe/Amsterdam", "2026-10-25 02:30", "2026-10-25 00:30Z", "2026-10-25 01:30Z"),
    # 02:00 EDT → 01:00 EST at 06:00Z: 01:30 is 05:30Z (-04:00), then 06:30Z (-05:00).
    case("America/New_York", "2026-11-01 01:30", "2026-11-01 05:30Z", "2026-11-01 06:30Z"),
    # 02:00 +11:00 → 01:30 +10:30 at 15:00Z: 01:45 is 14:45Z (+11:00), then 15:15Z (+10:30).
    case("Australia/Lord_Howe", "2026-04-05 01:45", "2026-04-04 14:45Z", "2026-04-04 15:15Z"),
    # Midnight -03:00 → 23:00 -04:00 at 03:00Z: Saturday 23:30 is 02:30Z, then 03:30Z.
    case("America/Santiago", "2026-04-04 23:30", "2026-04-05 02:30Z", "2026-04-05 03:30Z"),
    # 03:45 +13:45 → 02:45 +12:45 at 14:00Z: 03:00 is 13:15Z (+13:45), then 14:15Z (+12:45).
    case("Pacific/Chatham", "2026-04-05 03:00", "2026-04-04 13:15Z", "2026-04-04 14:15Z"),
]
CASES = [pytest.param(case, id=f"gap-{case.id}") for case in GAPS] + [
    pytest.param(case, id=f"repeat-{case.id}") for case in REPEATS
]


def test_amsterdam_half_past_two_on_the_spring_night_is_the_transition() -> None:
    instant = local_to_utc(date(2026, 3, 29), time(2, 30), ZoneInfo("Europe/Amsterdam"))
    assert instant == utc(2026, 3, 29, 1)
    assert instant != utc(2026, 3, 29, 1) + timedelta(minutes=30)
    assert instant.astimezone(ZoneInfo("Europe/Amsterdam")).time() == time(3, 0)


@pytest.mark.parametrize("case", CASES)
def test_local_to_utc(case: Case) -> None:
    instant = local_to_utc(case.day, case.wall, ZoneInfo(case.zone))
    assert instant == case.expected != case.not_this
    assert instant.tzinfo is UTC


@pytest.mark.parametrize("case", CASES)
def test_the_cases_are_real_gaps_and_repeats(case: Case) -> None:
    """The table above, checked against the zone data: a gap case's wall time is skipped at
    its expected instant; a repeat case's wall time reads at both of its instants."""
    zone = ZoneInfo(case.zone)
    asked = datetime.combine(case.day, case.wall)
    if case in GAPS:
        assert _wall(case.expected - SECOND, zone) < asked < _wall(case.expected, zone)
    else:
        assert _wall(case.expected, zone) == _wall(case.not_this, zone) == asked
        assert case.expected < case.not_this


@pytest.mark.parametrize("case", CASES)
def test_a_rotation_handoff_follows_the_rule(case: Case) -> None:
    """A weekly rotation whose second handoff falls on the night of the change."""
    cadence = Cadence(case.zone, case.day - timedelta(days=7), case.wall, 7)
    assert cadence.handoff(1) == case.expected
    before, during = cadence.bounds(0), cadence.bounds(1)
    assert before[1] == during[0] == case.expected  # no hole and no overlap at the handoff
    assert cadence.index_at(case.expected - SECOND) == 0
    assert cadence.index_at(case.expected) == 1
    # A week later the wall time exists again and the handoff is back on it.
    after = during[1].astimezone(ZoneInfo(case.zone))
    assert (after.date(), after.time()) == (case.day + timedelta(days=7), case.wall)


def _shift_at(case: Case, *, days_later: int) -> readiness.ShiftFacts:
    """A shift starting at the case's wall time ``days_later`` days on (a time that exists)."""
    start = datetime.combine(
        case.day + timedelta(days=days_later), case.wall, tzinfo=ZoneInfo(case.zone)
    )
    return readiness.ShiftFacts(
        id=days_later,
        rotation_id=1,
        start=start.astimezone(UTC),
        end=start.astimezone(UTC) + timedelta(days=7),
        person_id=1,
        timezone=case.zone,
    )


REQUIREMENT = readiness.RequirementFacts(
    id=1, rotation_id=1, card_set_id=1, assign_days_before=14, due_days_before=2
)


def _status(shift: readiness.ShiftFacts, *, now: datetime) -> readiness.Status:
    """Readiness of ``shift`` under ``REQUIREMENT`` with its one card still unread."""
    return readiness.assess(
        shift,
        requirements=[REQUIREMENT],
        card_sets={REQUIREMENT.card_set_id: [1]},
        cards={1: readiness.CardFacts(id=1, version=1)},
        acks={},
        now=now,
    ).status


@pytest.mark.parametrize("case", CASES)
def test_an_onboarding_due_time_follows_the_rule(case: Case) -> None:
    """Reading due two days before a shift whose start is two days after the change."""
    shift = _shift_at(case, days_later=2)
    assert days_before(shift.start, days=2, timezone=case.zone) == case.expected
    assert readiness.due_at(shift, REQUIREMENT) == case.expected
    assert _status(shift, now=case.expected - SECOND) == readiness.Status.PENDING
    assert _status(shift, now=case.expected) == readiness.Status.OVERDUE


@pytest.mark.parametrize("case", CASES)
def test_an_onboarding_assign_time_follows_the_rule(case: Case) -> None:
    """Reading assigned fourteen days before a shift fourteen days after the change."""
    shift = _shift_at(case, days_later=14)
    assert readiness.assigned_at(shift, REQUIREMENT) == case.expected
    assert readiness.assigned_requirements(shift, [REQUIREMENT], now=case.expected - SECOND) == []
    assert readiness.assigned_requirements(shift, [REQUIREMENT], now=case.expected) == [REQUIREMENT]


# --- every zone ---------------------------------------------------------------------------

ALL_ZONES = sorted(available_timezones())
YEARS = range(1971, 2038)
DATES = st.dates(min_value=date(YEARS.start, 1, 1), max_value=date(YEARS.stop - 1, 12, 31))


def _offset(instant: datetime, zone: ZoneInfo) -> timedelta:
    offset = instant.astimezone(zone).utcoffset()
    assert offset is not None
    return offset


def _readings(asked: datetime, zone: ZoneInfo) -> set[datetime]:
    """The instants whose wall time in ``zone`` is ``asked``: none in a gap, two in a repeat."""
    candidates = (asked.replace(tzinfo=zone, fold=fold).astimezone(UTC) for fold in (0, 1))
    return {candidate for candidate in candidates if _wall(candidate, zone) == asked}


@given(
    zone_name=st.sampled_from(ALL_ZONES),
    day=DATES,
    at=st.times(),
)
def test_every_existing_wall_time_round_trips_and_a_missing_one_never_moves_back(
    zone_name: str, day: date, at: time
) -> None:
    zone = ZoneInfo(zone_name)
    asked = datetime.combine(day, at)
    instant = local_to_utc(day, at, zone)
    readings = _readings(asked, zone)
    if readings:
        assert _wall(instant, zone) == asked
        assert instant == min(readings)
    else:
        assert _wall(instant, zone) > asked
        assert _wall(instant - SECOND, zone) < asked


def _first_change(zone: ZoneInfo, start: datetime, end: datetime, step: timedelta) -> datetime:
    """The first ``step`` on from ``start`` at which the offset differs from ``start``'s."""
    offset = _offset(start, zone)
    instant = start
    while instant < end and _offset(instant, zone) == offset:
        instant += step
    return instant


STEPS = (timedelta(days=1), timedelta(hours=1), timedelta(minutes=1), SECOND)


@cache
def _gaps(zone_name: str, year: int) -> list[tuple[datetime, timedelta]]:
    """The zone's spring-forward jumps in ``year`` as (instant, size): found week by week
    (a change undone within a week goes unseen), then pinned down to the second."""
    zone = ZoneInfo(zone_name)
    week = timedelta(weeks=1)
    found = []
    start = utc(year, 1, 1)
    while start.year == year:
        if _offset(start, zone) != _offset(start + week, zone):
            at, span = start + week, week
            for step in STEPS:
                at = _first_change(zone, at - span, at, step)
                span = step
            jump = _offset(at, zone) - _offset(at - SECOND, zone)
            if jump > timedelta(0):
                found.append((at, jump))
        start += week
    return found


@settings(deadline=None)  # the first look at a zone scans its history
@given(
    zone_name=st.sampled_from(ALL_ZONES),
    year=st.integers(YEARS.start, YEARS.stop - 1),
    which=st.integers(0, 3),
    into=st.floats(0, 1, exclude_max=True),
)
def test_a_wall_time_inside_any_gap_moves_to_the_end_of_the_gap(
    zone_name: str, year: int, which: int, into: float
) -> None:
    # The gaps of the year nearest to ``year`` that has any (zones without DST have none).
    years = sorted(range(YEARS.start, YEARS.stop), key=lambda other: abs(other - year))
    gaps = next((found for other in years if (found := _gaps(zone_name, other))), [])
    assume(gaps)
    transition, jump = gaps[which % len(gaps)]
    zone = ZoneInfo(zone_name)
    # The wall clock reads ``gap_start`` just as it jumps: every wall time in [gap_start,
    # gap_start + jump) is skipped.
    gap_start = _wall(transition - SECOND, zone) + SECOND
    asked = gap_start + timedelta(seconds=int(jump.total_seconds() * into))
    assume(not _readings(asked, zone))  # no other change of the clock gave that time back
    instant = local_to_utc(asked.date(), asked.time(), zone)
    assert instant == transition
    assert _wall(instant, zone) > asked
