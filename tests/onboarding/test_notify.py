"""Planning reminders from the database, and bundling queued ones into deliveries."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from core.clock import FixedClock
from onboarding import notify, outbox
from tests.factories import (
    make_ack,
    make_card,
    make_card_set,
    make_person,
    make_requirement,
    make_rotation,
    make_shift,
)
from tests.querycount import count_statements

BASE_URL = "https://allhands.example.com"


def planned_keys(session: Session, now: datetime) -> list[tuple[str, str]]:
    return [
        (p.reminder.key.split(":")[0], p.recipient.email)
        for p in notify.plan(session, now=now, base_url=BASE_URL)
    ]


def test_plan_covers_assign_overdue_for_managers_and_stale_cards(
    session: Session, clock: FixedClock
) -> None:
    now = clock.now()
    manager = make_person(session, email="mia@example.com")
    verifier = make_person(session, email="vic@example.com")
    ana = make_person(session, email="ana@example.com", timezone="Europe/Amsterdam")
    bo = make_person(session, email="bo@example.com")
    rotation = make_rotation(session, managers=[manager], members=[ana, bo])
    fresh = make_card(session, verifier=verifier)
    stale = make_card(session, verifier=verifier, last_verified_at=now - timedelta(days=120))
    make_card(session, verifier=verifier, last_verified_at=None)  # stale but not required
    make_requirement(
        session, rotation=rotation, card_set=make_card_set(session, cards=[fresh, stale])
    )
    make_shift(session, rotation=rotation, start=now + timedelta(days=1), person=bo)  # overdue
    make_shift(session, rotation=rotation, start=now + timedelta(days=10), person=ana)  # assign
    make_shift(session, rotation=rotation, start=now + timedelta(days=40), person=ana)  # later
    make_shift(session, rotation=rotation, start=now + timedelta(days=17), person=None)

    assert planned_keys(session, now) == [
        ("overdue", "bo@example.com"),
        ("overdue-manager", "mia@example.com"),
        ("assign", "ana@example.com"),
        ("stale", "vic@example.com"),
    ]
    plan = notify.plan(session, now=now, base_url=BASE_URL)
    assign = plan[2]
    assert assign.text.subject.endswith("Fri 04 Dec 2026, 11:00 CET")  # Ana's own zone
    assert stale.title in plan[3].text.subject


def test_inactive_people_get_no_reminders(session: Session, clock: FixedClock) -> None:
    now = clock.now()
    gone = make_person(session, active=False)
    rotation = make_rotation(session)
    make_requirement(
        session, rotation=rotation, card_set=make_card_set(session, cards=[make_card(session)])
    )
    make_shift(session, rotation=rotation, start=now + timedelta(days=10), person=gone)
    assert planned_keys(session, now) == []


def test_nothing_is_planned_without_requirements(session: Session, clock: FixedClock) -> None:
    now = clock.now()
    rotation = make_rotation(session)
    make_shift(
        session, rotation=rotation, start=now + timedelta(days=3), person=make_person(session)
    )
    assert planned_keys(session, now) == []


@pytest.mark.parametrize("size", [1, 5])
def test_planning_takes_a_fixed_number_of_queries(
    session: Session, clock: FixedClock, size: int
) -> None:
    now = clock.now()
    people = [make_person(session) for _ in range(4 * size)]
    cards = [make_card(session, verifier=people[0], last_verified_at=None) for _ in range(3 * size)]
    card_set = make_card_set(session, cards=cards)
    for r in range(2 * size):
        rotation = make_rotation(session, managers=[people[-1 - r % 3]])
        make_requirement(session, rotation=rotation, card_set=card_set)
        for week in range(4):
            make_shift(
                session,
                rotation=rotation,
                start=now + timedelta(weeks=week),
                person=people[(r + week) % len(people)],
            )
    make_ack(session, person=people[0], card=cards[0])
    session.flush()
    with count_statements(session) as queries:
        plan = notify.plan(session, now=now, base_url=BASE_URL)
    assert len(plan) > 8 * size
    # Seven for reminders, one to see that no rotation asks for at-risk notices.
    assert len(queries) == 8, queries


def pending(key: str, recipient: str, message_id: int) -> outbox.PendingMessage:
    return outbox.PendingMessage(
        id=message_id,
        kind="assign",
        channel="email",
        recipient=recipient,
        dedupe_key=key,
        subject=f"About {key}",
        body=f"Hello {recipient},\n\nRead {key}.",
        payload={"recipient_name": recipient.split("@")[0].title()},
        attempts=0,
    )


def test_bundling_makes_one_delivery_per_recipient_and_channel() -> None:
    deliveries = notify.bundle(
        [
            pending("a", "ana@example.com", 1),
            pending("b", "bo@example.com", 2),
            pending("c", "ana@example.com", 3),
        ]
    )
    assert [(d.outgoing.recipient, d.message_ids) for d in deliveries] == [
        ("ana@example.com", [1, 3]),
        ("bo@example.com", [2]),
    ]
    ana, bo = deliveries
    assert ana.outgoing.subject == "allhands: 2 reminders"
    assert ana.outgoing.body.startswith("Hello Ana,\n\n1. About a\n\nRead a.")
    assert bo.outgoing.subject == "About b"
