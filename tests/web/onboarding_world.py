"""An organisation for the home, checklist, readiness and card-set page tests."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Person
from kb_links.models import Card
from onboarding.models import CardSet, CardSetItem
from rotation.models import Rotation, Shift, SwapRequest
from tests.factories import (
    make_card,
    make_card_set,
    make_person,
    make_requirement,
    make_rotation,
    make_shift,
)
from tests.probes import row_counts
from tests.web.test_auth_pages import csrf_from, login

PASSWORD = "a long password"
EVIL = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def person(session: Session, **fields: Any) -> Person:
    """A person who can log in with ``PASSWORD``."""
    return make_person(session, password=PASSWORD, **fields)


def log_in(client: TestClient, who: Person) -> None:
    client.cookies.clear()
    assert login(client, who.email, PASSWORD)[0] == 303


def post(client: TestClient, path: str, data: dict[str, str] | None = None) -> httpx.Response:
    """A form post with the session's CSRF token, as the page's own form would send it."""
    token = csrf_from(client.get("/").text)
    return client.post(path, data={"csrf_token": token, **(data or {})}, follow_redirects=False)


class World:
    """Tier two: Mia manages it, Ana and Bo are on it, three cards to read before each shift.

    Ana (New York) is on next week's shift with one card read, and again in six weeks
    (reading not yet assigned); Bo has the week after; the third week is uncovered.
    Cy manages another rotation and nothing else; Ada is an admin.
    """

    def __init__(self, session: Session, now: datetime) -> None:
        self.mia = person(session, name="Mia Manager", timezone="Europe/Amsterdam")
        self.ana = person(session, name="Ana Engineer", timezone="America/New_York")
        self.bo = person(session, name="Bo Builder")
        self.cy = person(session, name="Cy Elsewhere")
        self.ada = person(session, name="Ada Admin", is_admin=True)
        self.tier2: Rotation = make_rotation(
            session,
            slug="tier2",
            name="Tier two",
            managers=[self.mia],
            members=[self.ana, self.bo],
        )
        self.billing: Rotation = make_rotation(
            session, slug="billing", name="Billing day", managers=[self.cy], members=[self.bo]
        )
        self.cards: list[Card] = [
            make_card(session, title="Escalating a ticket"),
            make_card(session, title="Refund policy", version=3),
            make_card(session, title="Known issues"),
        ]
        self.card_set: CardSet = make_card_set(session, cards=self.cards, name="Tier-2 essentials")
        make_requirement(
            session,
            rotation=self.tier2,
            card_set=self.card_set,
            assign_days_before=21,
            due_days_before=2,
        )
        self.next_week: Shift = make_shift(
            session, rotation=self.tier2, start=now + timedelta(days=6), person=self.ana
        )
        self.bo_week: Shift = make_shift(
            session, rotation=self.tier2, start=now + timedelta(days=13), person=self.bo
        )
        self.gap: Shift = make_shift(
            session, rotation=self.tier2, start=now + timedelta(days=20), person=None
        )
        self.later: Shift = make_shift(
            session, rotation=self.tier2, start=now + timedelta(days=41), person=self.ana
        )
        self.billing_day: Shift = make_shift(
            session, rotation=self.billing, start=now + timedelta(days=2), person=self.bo, days=1
        )


def state(session: Session) -> dict[str, Any]:
    """Everything a refused page request must leave as it was."""
    session.expire_all()
    return {
        **row_counts(session),
        "shifts": session.execute(
            select(Shift.id, Shift.person_id, Shift.sequence).order_by(Shift.id)
        ).all(),
        "swaps": session.execute(
            select(SwapRequest.id, SwapRequest.status).order_by(SwapRequest.id)
        ).all(),
        "card_sets": session.execute(
            select(CardSet.id, CardSet.name, CardSet.description).order_by(CardSet.id)
        ).all(),
        "items": session.execute(
            select(CardSetItem.card_set_id, CardSetItem.card_id, CardSetItem.position).order_by(
                CardSetItem.card_set_id, CardSetItem.position
            )
        ).all(),
    }


def section(page: str, element_id: str) -> str:
    """The element with this id, up to its matching closing tag (nested ones counted)."""
    match = re.search(rf'<(\w+)[^>]*\bid="{re.escape(element_id)}"', page)
    assert match, f"no element with id {element_id}"
    tag = match.group(1)
    depth = 0
    for found in re.finditer(rf"<(/?){tag}\b", page[match.start() :]):
        depth += -1 if found.group(1) else 1
        if depth == 0:
            return page[match.start() : match.start() + found.start()]
    raise AssertionError(f"element {element_id} is not closed")
