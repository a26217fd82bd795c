"""People's own public holidays as time off: the scheduler never puts anyone on one."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from core.models import Person
from rotation import generation, holiday_release, holidays
from rotation.models import Shift
from rotation.timeline import days_to_utc
from tests.conftest import DEFAULT_NOW
from tests.factories import make_people, make_scheduled_rotation
from tests.probes import live_shifts
from tests.querycount import count_statements

COUNTRIES = ["NL", "US", "JP", "DE", "GB", "BR", None]
ZONES = ["Europe/Amsterdam", "America/New_York", "Asia/Tokyo", "Australia/Sydney", "UTC"]


def on_own_holiday(shift: Shift, person: Person) -> bool:
    if person.holiday_country is None:
        return False
    first = shift.start.date() - timedelta(days=1)
    last = shift.end.date() + timedelta(days=1)
    for day in holidays.own_holidays(person.holiday_country, first, last):
        off_start, off_end = days_to_utc(day, day, ZoneInfo(person.timezone))
        if off_start < shift.end and shift.start < off_end:
            return True
    return False


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    people=st.lists(
        st.tuples(st.sampled_from(COUNTRIES), st.sampled_from(ZONES)), min_size=1, max_size=6
    ),
    shift_days=st.integers(1, 4),
    people_per_shift=st.integers(1, 2),
    zone=st.sampled_from(ZONES),
)
def test_nobody_is_scheduled_on_their_own_holiday(
    session: Session,
    people: list[tuple[str | None, str]],
    shift_days: int,
    people_per_shift: int,
    zone: str,
) -> None:
    savepoint = session.begin_nested()
    try:
        crew = make_people(session, len(people))
        for person, (country, timezone) in zip(crew, people, strict=True):
            person.holiday_country, person.timezone = country, timezone
        session.flush()
        rotation = make_scheduled_rotation(
            session,
            members=crew,
            timezone=zone,
            shift_days=shift_days,
            people_per_shift=people_per_shift,
            horizon_days=120,  # through Christmas, New Year and more
            treat_own_holidays_as_time_off=True,
        )
        by_id = {person.id: person for person in crew}
        shifts = live_shifts(session, rotation)
        assert shifts
        for shift in shifts:
            if shift.person_id is not None:
                assert not on_own_holiday(shift, by_id[shift.person_id]), shift.start
    finally:
        savepoint.rollback()


def test_switching_the_rule_on_moves_only_the_shifts_on_holidays(session: Session) -> None:
    dutch, other = make_people(session, 2, timezone="Europe/Amsterdam")
    dutch.holiday_country = "NL"
    rotation = make_scheduled_rotation(
        session, members=[dutch, other], timezone="Europe/Amsterdam", shift_days=1
    )
    before = {s.id: s.person_id for s in live_shifts(session, rotation)}
    rotation.treat_own_holidays_as_time_off = True
    changed = holiday_release.release_conflicts(
        session, rotation=rotation, now=DEFAULT_NOW, actor=None
    )
    after = {s.start.date(): s for s in live_shifts(session, rotation)}
    assert changed
    for day in (date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 26)):
        assert after[day].person_id == other.id  # each touches Christmas or Boxing Day
    moved = {shift_id for shift_id in changed if before.get(shift_id) is not None}
    assert all(before[shift_id] == dutch.id for shift_id in moved)


def test_the_hook_costs_one_query_per_scheduling_run(session: Session) -> None:
    crew = make_people(session, 12)
    for person in crew:
        person.holiday_country = "US"
    session.flush()
    plain = make_scheduled_rotation(session, name="Plain", members=crew)
    with count_statements(session) as without:
        plain.horizon_days = 400
        generation.reschedule(session, rotation=plain, now=DEFAULT_NOW, actor=None, reason="t")
    treated = make_scheduled_rotation(
        session, name="Treated", members=crew, treat_own_holidays_as_time_off=True
    )
    with count_statements(session) as with_rule:
        treated.horizon_days = 400
        generation.reschedule(session, rotation=treated, now=DEFAULT_NOW, actor=None, reason="t")
    selects = [s for s in with_rule if s.lstrip().upper().startswith("SELECT")]
    plain_selects = [s for s in without if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == len(plain_selects) + 1
