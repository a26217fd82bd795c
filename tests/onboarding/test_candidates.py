"""Ready-first candidates for a shift: ready, can be ready in time, not ready, unavailable."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from onboarding import candidates
from onboarding.readiness import ShiftFacts, ShiftReadiness, Status
from rotation.models import TimeOff
from tests.conftest import DEFAULT_NOW
from tests.factories import (
    MONDAY,
    headers_for,
    make_ack,
    make_card,
    make_card_set,
    make_person,
    make_requirement,
    make_rotation,
    make_shift,
)


def _world(session: Session, *, due_days_before: int = 2) -> dict[str, object]:
    holder, ana, bo, cy, di = (
        make_person(session, name=name) for name in ("Holder", "Ana", "Bo", "Cy", "Di")
    )
    rotation = make_rotation(
        session, timezone="UTC", start_date=MONDAY, members=[holder, ana, bo, cy, di]
    )
    cards = [make_card(session) for _ in range(3)]
    make_requirement(
        session,
        rotation=rotation,
        card_set=make_card_set(session, cards=cards),
        due_days_before=due_days_before,
    )
    shift = make_shift(session, rotation=rotation, person=holder, index=2)  # Mon 7 Dec 09:00
    for card in cards:
        make_ack(session, person=ana, card=card)
    make_ack(session, person=bo, card=cards[0])
    make_ack(session, person=di, card=cards[0])
    make_ack(session, person=di, card=cards[1])
    session.add(
        TimeOff(
            person_id=cy.id,
            start=date(2026, 12, 6),
            end=date(2026, 12, 8),
            created_at=DEFAULT_NOW,
        )
    )
    session.flush()
    return {"shift": shift, "holder": holder, "ana": ana, "bo": bo, "cy": cy, "di": di}


def test_members_are_ranked_ready_first(session: Session) -> None:
    w = _world(session)
    ranked = candidates.candidates(session, shift=w["shift"], now=DEFAULT_NOW)
    assert [(c.person.name, c.standing, c.cards_left) for c in ranked] == [
        ("Ana", candidates.Standing.READY, 0),
        ("Di", candidates.Standing.CAN_BE_READY, 1),
        ("Bo", candidates.Standing.CAN_BE_READY, 2),
        ("Cy", candidates.Standing.UNAVAILABLE, 3),
    ]
    assert ranked[-1].reason == "has time off then"
    assert all(c.person.name != "Holder" for c in ranked)


def test_reading_that_no_longer_fits_before_the_due_time_is_not_ready(session: Session) -> None:
    w = _world(session)
    shift = w["shift"]
    # 20 minutes before the reading is due: one card (15 min) fits, two (30 min) do not.
    due = shift.start - timedelta(days=2)
    ranked = candidates.candidates(session, shift=shift, now=due - timedelta(minutes=20))
    standing = {c.person.name: c.standing for c in ranked}
    assert standing["Di"] is candidates.Standing.CAN_BE_READY
    assert standing["Bo"] is candidates.Standing.NOT_READY
    assert standing["Ana"] is candidates.Standing.READY


@given(
    missing=st.integers(min_value=0, max_value=40),
    minutes_to_due=st.integers(min_value=-600, max_value=600),
    per_card=st.integers(min_value=1, max_value=60),
)
def test_standing_follows_the_reading_time_left(
    missing: int, minutes_to_due: int, per_card: int
) -> None:
    now = datetime(2026, 12, 1, 9, tzinfo=UTC)
    due = now + timedelta(minutes=minutes_to_due)
    facts = ShiftFacts(id=1, rotation_id=1, start=due + timedelta(days=2), end=due, person_id=1)
    assessed = ShiftReadiness(
        facts, Status.PENDING, due, None, tuple(range(40)), tuple(range(missing))
    )
    standing = candidates.standing_of(assessed, now=now, minutes_per_card=per_card)
    if missing == 0:
        assert standing is candidates.Standing.READY
    elif missing * per_card <= minutes_to_due:
        assert standing is candidates.Standing.CAN_BE_READY
    else:
        assert standing is candidates.Standing.NOT_READY


def test_the_api_lists_them_for_the_holder(client: TestClient, session: Session) -> None:
    w = _world(session)
    url = f"/api/v1/shifts/{w['shift'].id}/candidates"
    answer = client.get(url, headers=headers_for(session, w["holder"]))
    assert answer.status_code == 200
    assert [(c["person"]["name"], c["standing"]) for c in answer.json()][:2] == [
        ("Ana", "ready"),
        ("Di", "can_be_ready"),
    ]
    assert client.get(url, headers=headers_for(session, w["ana"])).status_code == 403
