""" "Why me": the explanation follows the scheduler's rule, shift by shift."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from rotation import overrides, why
from rotation import time_off as time_off_service
from rotation.models import Shift
from tests.conftest import DEFAULT_NOW
from tests.factories import headers_for, make_person, make_scheduled_rotation


def _shifts(session: Session, rotation_id: int) -> list[Shift]:
    return list(
        session.scalars(
            select(Shift)
            .where(Shift.rotation_id == rotation_id, Shift.cancelled_at.is_(None))
            .order_by(Shift.start, Shift.slot)
        )
    )


def test_the_first_weeks_name_each_rule(session: Session) -> None:
    ana, bo, cy = (make_person(session, name=n) for n in ("Ana", "Bo", "Cy"))
    rotation = make_scheduled_rotation(session, members=[ana, bo, cy], horizon_days=35)
    first, second, third, fourth = _shifts(session, rotation.id)[:4]
    assert [s.person_id for s in (first, second, third, fourth)] == [ana.id, bo.id, cy.id, ana.id]
    assert why.why(session, shift=first).rule == "roster_order"
    assert why.why(session, shift=second).rule == "roster_order"
    answer = why.why(session, shift=third)
    assert answer.rule == "fewest_shifts" and answer.eligible == 3
    assert answer.text.startswith("Fewest shifts among 3 eligible: 0 vs next 1")
    waited = why.why(session, shift=fourth)
    assert waited.rule == "waited_longest" and "Tied at 1 shifts" in waited.text


def test_people_who_could_not_take_it_are_named(session: Session) -> None:
    ana, bo = make_person(session, name="Ana"), make_person(session, name="Bo")
    time_off_service.add_time_off(
        session, person=ana, start=date(2026, 11, 20), end=date(2026, 12, 1), reason="",
        now=DEFAULT_NOW, actor=None,
    )  # fmt: skip
    rotation = make_scheduled_rotation(session, members=[ana, bo], horizon_days=14)
    first = _shifts(session, rotation.id)[0]
    answer = why.why(session, shift=first)
    assert first.person_id == bo.id
    assert answer.rule == "only_one" and "Ana was on time off" in answer.text


def test_an_override_says_whom_it_covers(session: Session) -> None:
    ana, bo = make_person(session, name="Ana"), make_person(session, name="Bo")
    rotation = make_scheduled_rotation(session, members=[ana, bo], horizon_days=28)
    later = _shifts(session, rotation.id)[2]
    holder = later.person_id
    other = bo if holder == ana.id else ana
    overrides.override(
        session, shift=later, person=other, start=None, end=None, now=DEFAULT_NOW, actor=None
    )
    answer = why.why(session, shift=later)
    covered = "Ana" if holder == ana.id else "Bo"
    assert answer.rule == "override" and answer.text.endswith(f"covering for {covered}.")


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    members=st.integers(min_value=2, max_value=6),
    shift_days=st.sampled_from([1, 2, 7]),
    days_off=st.lists(
        st.tuples(st.integers(0, 5), st.integers(0, 40), st.integers(0, 6)), max_size=6
    ),
)
def test_every_generated_shift_is_explained_by_the_rule(
    session: Session, members: int, shift_days: int, days_off: list[tuple[int, int, int]]
) -> None:
    nested = session.begin_nested()
    try:
        people = [make_person(session) for _ in range(members)]
        for who, offset, length in days_off:
            first = date(2026, 11, 23) + timedelta(days=offset)
            time_off_service.add_time_off(
                session, person=people[who % members], start=first,
                end=first + timedelta(days=length), reason="", now=DEFAULT_NOW, actor=None,
            )  # fmt: skip
        rotation = make_scheduled_rotation(
            session, members=people, shift_days=shift_days, horizon_days=42
        )
        for shift in _shifts(session, rotation.id):
            answer = why.why(session, shift=shift)
            assert answer.rule != "unexplained", (shift.start, answer.text)
            if shift.person_id is None:
                assert answer.rule == "uncovered"
    finally:
        nested.rollback()


def test_the_api_answers_the_holder_and_managers_only(client: TestClient, session: Session) -> None:
    ana, bo = make_person(session, name="Ana"), make_person(session, name="Bo")
    admin = make_person(session, is_admin=True)
    rotation = make_scheduled_rotation(session, members=[ana, bo], horizon_days=14)
    first = _shifts(session, rotation.id)[0]
    holder, other = (ana, bo) if first.person_id == ana.id else (bo, ana)
    url = f"/api/v1/shifts/{first.id}/why"
    mine = client.get(url, headers=headers_for(session, holder))
    assert mine.status_code == 200 and mine.json()["rule"] == "roster_order"
    assert [c["name"] for c in mine.json()["candidates"]] == ["Ana", "Bo"]
    assert mine.json()["compared"] == [
        {"person": {"id": ana.id, "name": "Ana"}, "figure": 0, "eligible": True, "reason": None},
        {"person": {"id": bo.id, "name": "Bo"}, "figure": 0, "eligible": True, "reason": None},
    ]
    assert client.get(url, headers=headers_for(session, other)).status_code == 403
    assert client.get(url, headers=headers_for(session, admin)).status_code == 200
    assert (
        client.get("/api/v1/shifts/999999/why", headers=headers_for(session, admin)).status_code
        == 404
    )
