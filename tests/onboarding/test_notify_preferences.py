"""Reminders go out only on the channels a person left on in their profile."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import FixedClock
from onboarding import notify
from onboarding.models import OutboxMessage
from tests.factories import (
    make_card,
    make_card_set,
    make_person,
    make_requirement,
    make_rotation,
    make_shift,
)


def test_a_channel_turned_off_gets_no_reminder(session: Session, clock: FixedClock) -> None:
    now = clock.now()
    ana = make_person(session, email="ana@example.com")
    bo = make_person(session, email="bo@example.com")
    ana.notify_slack = False
    bo.notify_email = False
    rotation = make_rotation(session, members=[ana, bo])
    make_requirement(
        session, rotation=rotation, card_set=make_card_set(session, cards=[make_card(session)])
    )
    make_shift(session, rotation=rotation, start=now + timedelta(days=10), person=ana)
    make_shift(session, rotation=rotation, start=now + timedelta(days=17), person=bo)
    due, written = notify.queue(
        session, now=now, base_url="https://a.example", channels=["email", "slack"]
    )
    assert due == 2
    sent_to = sorted(
        (recipient, channel)
        for recipient, channel in session.execute(
            select(OutboxMessage.recipient, OutboxMessage.channel)
        )
    )
    assert sent_to == [("ana@example.com", "email"), ("bo@example.com", "slack")]
    assert len(written) == 2
