"""At-risk shifts: overdue or unable to finish the reading in time, within the rotation's
``at_risk_days``; the report shows them and the person and managers are told once per stage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from core.clock import FixedClock
from core.models import Person
from kb_links.models import Card
from onboarding import at_risk, notify, readiness
from onboarding.readiness import ShiftFacts, ShiftReadiness, Status
from rotation.models import Shift
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
from tests.web.rotation_page_helpers import PASSWORD

BASE_URL = "https://allhands.example.com"


@dataclass
class World:
    shift: Shift
    holder: Person
    ana: Person
    bo: Person
    mia: Person
    cards: list[Card]


def _world(session: Session, *, at_risk_days: int = 7) -> World:
    """Holder on Mon 7 Dec 09:00 UTC with three cards to read, due Sat 5 Dec 09:00; Ana has
    read everything, Bo one card; Mia manages. Everyone can log in with ``PASSWORD``."""
    mia = make_person(session, name="Mia", email="mia@example.com", password=PASSWORD)
    holder, ana, bo = (
        make_person(session, name=n, password=PASSWORD) for n in ("Holder", "Ana", "Bo")
    )
    rotation = make_rotation(
        session, timezone="UTC", start_date=MONDAY, members=[holder, ana, bo], managers=[mia]
    )
    rotation.at_risk_days = at_risk_days
    cards = [make_card(session, title=f"Card {n}") for n in range(3)]
    make_requirement(
        session, rotation=rotation, card_set=make_card_set(session, cards=cards), due_days_before=2
    )
    shift = make_shift(session, rotation=rotation, person=holder, index=2)
    for card in cards:
        make_ack(session, person=ana, card=card)
    make_ack(session, person=bo, card=cards[0])
    make_ack(session, person=holder, card=cards[0])
    session.flush()
    return World(shift, holder, ana, bo, mia, cards)


DUE = datetime(2026, 12, 5, 9, tzinfo=UTC)


@given(
    missing=st.integers(min_value=0, max_value=10),
    minutes_to_due=st.integers(min_value=-3000, max_value=3000),
    days_ahead=st.integers(min_value=0, max_value=10),
    hours_to_start=st.integers(min_value=-5, max_value=400),
)
def test_at_risk_is_overdue_or_behind_inside_the_window(
    missing: int, minutes_to_due: int, days_ahead: int, hours_to_start: int
) -> None:
    now = datetime(2026, 12, 1, 9, tzinfo=UTC)
    start = now + timedelta(hours=hours_to_start)
    due = now + timedelta(minutes=minutes_to_due)
    facts = ShiftFacts(
        id=1, rotation_id=1, start=start, end=start + timedelta(days=7), person_id=1,
        at_risk_days=days_ahead,
    )  # fmt: skip
    entry = ShiftReadiness(
        facts, Status.PENDING, due, None, tuple(range(10)), tuple(range(missing))
    )
    inside = days_ahead > 0 and now < start <= now + timedelta(days=days_ahead)
    behind = missing > 0 and missing * readiness.READING_MINUTES_PER_CARD > minutes_to_due
    assert readiness.at_risk(entry, now=now) is (inside and behind)


def test_the_report_calls_a_shift_at_risk_only_inside_its_window(session: Session) -> None:
    w = _world(session)
    shift = w.shift
    # Two weeks ahead: the window (7 days) has not reached the shift.
    found = at_risk.at_risk_shifts(session, now=DEFAULT_NOW)
    assert found == []
    # 20 minutes before the due time two cards (30 minutes) no longer fit: behind.
    [item] = at_risk.at_risk_shifts(session, now=DUE - timedelta(minutes=20))
    assert (item.shift.id, item.stage) == (shift.id, "behind")
    assert [c.person.name for c in item.candidates] == ["Ana"]
    # A day after the due time: overdue, and Ana is still the one suggested.
    [item] = at_risk.at_risk_shifts(session, now=DUE + timedelta(days=1))
    assert item.stage == "overdue"
    assert [c.person.name for c in item.candidates] == ["Ana"]


def test_without_at_risk_days_nothing_is_at_risk(session: Session) -> None:
    _world(session, at_risk_days=0)
    assert at_risk.at_risk_shifts(session, now=DUE + timedelta(hours=1)) == []


def test_the_readiness_api_and_page_show_at_risk_shifts(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    w = _world(session)
    clock.set(DUE - timedelta(minutes=20))
    answer = client.get("/api/v1/readiness", headers=headers_for(session, w.mia))
    assert answer.status_code == 200
    [row] = [r for r in answer.json() if r["shift"]["id"] == w.shift.id]
    assert row["status"] == "at_risk"


def test_the_person_and_the_manager_are_told_once_per_stage(session: Session) -> None:
    w = _world(session)
    holder, mia, ana = w.holder, w.mia, w.ana
    behind = DUE - timedelta(minutes=20)
    notices = at_risk.notices(session, now=behind, base_url=BASE_URL)
    assert sorted(n.recipient.email for n in notices) == sorted([holder.email, mia.email])
    own = next(n for n in notices if n.recipient.id == holder.id)
    link = f"{BASE_URL}/shifts/{w.shift.id}/cover?to={ana.id}"
    assert "is at risk" in own.text.body and link in own.text.body
    assert own.text.subject.startswith("At risk: your")
    to_manager = next(n for n in notices if n.recipient.id == mia.id)
    assert "Holder's" in to_manager.text.body and link in to_manager.text.body

    def queue(now: datetime) -> list[str]:
        return notify.queue(session, now=now, base_url=BASE_URL, channels=["email"])[1]

    first = [k for k in queue(behind) if k.startswith("at-risk:")]
    assert len(first) == 2
    assert [k for k in queue(behind + timedelta(minutes=5)) if k.startswith("at-risk:")] == []
    # Turning overdue is a new stage: told once more, and no more after that.
    overdue = [k for k in queue(DUE + timedelta(hours=1)) if k.startswith("at-risk:")]
    assert len(overdue) == 2 and all(":overdue:" in k for k in overdue)
    assert [k for k in queue(DUE + timedelta(hours=2)) if k.startswith("at-risk:")] == []


def test_reading_done_takes_the_shift_out_of_risk(session: Session) -> None:
    w = _world(session)
    for card in w.cards[1:]:
        make_ack(session, person=w.holder, card=card)
    assert at_risk.at_risk_shifts(session, now=DUE + timedelta(hours=1)) == []
