"""Property: shadowing and graduating never change anyone else's published shift."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from onboarding import graduation
from rotation import members, time_off
from tests.conftest import DEFAULT_NOW
from tests.factories import make_people, make_scheduled_rotation
from tests.probes import live_shifts


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    team_size=st.integers(min_value=1, max_value=5),
    newcomers=st.integers(min_value=1, max_value=3),
    required=st.integers(min_value=1, max_value=3),
    people_per_shift=st.integers(min_value=1, max_value=2),
    away=st.lists(
        st.tuples(st.integers(min_value=0, max_value=7), st.integers(min_value=0, max_value=40)),
        max_size=3,
    ),
    weeks_later=st.integers(min_value=1, max_value=8),
)
def test_no_published_shift_of_anyone_else_changes(
    session: Session,
    team_size: int,
    newcomers: int,
    required: int,
    people_per_shift: int,
    away: list[tuple[int, int]],
    weeks_later: int,
) -> None:
    savepoint = session.begin_nested()
    try:
        team = make_people(session, team_size)
        rotation = make_scheduled_rotation(
            session,
            members=team,
            horizon_days=35,
            people_per_shift=people_per_shift,
            shadow_shifts_required=required,
        )
        everyone = [*team, *make_people(session, newcomers)]
        for who, day in away:
            start = (DEFAULT_NOW + timedelta(days=day)).date()
            time_off.add_time_off(
                session, person=everyone[who % len(everyone)], start=start, end=start,
                reason="", now=DEFAULT_NOW, actor=None,
            )  # fmt: skip
        published = {
            s.id: (s.person_id, s.start, s.end, s.sequence)
            for s in live_shifts(session, rotation)
            if s.person_id is not None  # an uncovered slot is anyone's to fill
        }
        members.set_members(
            session, rotation=rotation, person_ids=[p.id for p in everyone],
            now=DEFAULT_NOW, actor=None,
        )  # fmt: skip
        later = DEFAULT_NOW + timedelta(weeks=weeks_later)
        graduation.run(session, now=later, base_url="https://allhands.example")
        after = {s.id: s for s in live_shifts(session, rotation)}
        for shift_id, picture in published.items():
            shift = after[shift_id]
            assert (shift.person_id, shift.start, shift.end, shift.sequence) == picture
        stage_of = {m.person_id: m.stage for m in members.list_members(session, rotation=rotation)}
        for shift in after.values():
            if shift.role == "primary":
                # Shadows are never coverage.
                assert shift.person_id is None or stage_of.get(shift.person_id) != "shadow"
            else:
                # A shadow sits beside someone holding the same slot of the same shift.
                assert any(
                    p.role == "primary"
                    and p.index == shift.index
                    and p.slot + 100 == shift.slot
                    and p.person_id is not None
                    for p in after.values()
                )
    finally:
        savepoint.rollback()
        session.expunge_all()
