"""What changed since your last shift: cards with a major change after a person's previous
shift come first on their checklist, with the revision note."""

from __future__ import annotations

import html
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from core.models import Person
from kb_links import service as cards
from kb_links.models import Card
from onboarding import progress
from tests.conftest import DEFAULT_NOW
from tests.factories import (
    headers_for,
    make_ack,
    make_card,
    make_card_set,
    make_person,
    make_requirement,
    make_rotation,
    make_shift,
)
from tests.web.rotation_page_helpers import PASSWORD, log_in


def _returning(session: Session, *, with_past_shift: bool = True) -> tuple[Person, list[Card]]:
    """Ana's last shift ended ten days ago; since then "Escalations" changed (major) and
    "Tone" had a minor edit; "Refunds" changed before that shift ended."""
    ana = make_person(session, name="Ana", password=PASSWORD)
    rotation = make_rotation(session, timezone="UTC", members=[ana])
    refunds, tone, escalations = (
        make_card(session, title=t) for t in ("Refunds", "Tone", "Escalations")
    )
    make_requirement(
        session,
        rotation=rotation,
        card_set=make_card_set(session, cards=[refunds, tone, escalations]),
    )
    if with_past_shift:
        make_shift(
            session, rotation=rotation, person=ana, start=DEFAULT_NOW - timedelta(days=17), days=7
        )
    make_shift(session, rotation=rotation, person=ana, start=DEFAULT_NOW + timedelta(days=5))
    for card in (refunds, tone, escalations):
        make_ack(session, person=ana, card=card, at=DEFAULT_NOW - timedelta(days=20))

    def revise(card: Card, change: str, note: str, days_ago: int) -> None:
        cards.revise_card(
            session, card=card, changes={}, change=change,  # type: ignore[arg-type]
            now=DEFAULT_NOW - timedelta(days=days_ago), actor=None, summary=note,
        )  # fmt: skip

    revise(refunds, "major", "old change", 12)
    revise(tone, "minor", "typo", 3)
    revise(escalations, "major", "New on-call number", 2)
    session.flush()
    return ana, [refunds, tone, escalations]


def test_cards_changed_since_the_last_shift_come_first_with_their_note(session: Session) -> None:
    ana, (_refunds, _tone, escalations) = _returning(session)
    [entry] = progress.checklist(session, person=ana, now=DEFAULT_NOW)
    assert [card.title for card, _ in entry.cards] == ["Escalations", "Refunds", "Tone"]
    assert set(entry.changed) == {escalations.id}
    assert entry.changed[escalations.id].note == "New on-call number"


def test_a_first_shift_has_nothing_changed_since(session: Session) -> None:
    ana, _cards = _returning(session, with_past_shift=False)
    [entry] = progress.checklist(session, person=ana, now=DEFAULT_NOW)
    assert entry.changed == {}
    assert [card.title for card, _ in entry.cards] == ["Refunds", "Tone", "Escalations"]


def test_the_api_and_the_page_say_what_changed(client: TestClient, session: Session) -> None:
    ana, _cards = _returning(session)
    answer = client.get("/api/v1/me/checklist", headers=headers_for(session, ana))
    [shift] = answer.json()["shifts"]
    first = shift["cards"][0]
    assert (first["card"]["title"], first["changed_since_last_shift"]) == ("Escalations", True)
    assert first["revision_note"] == "New on-call number"
    assert shift["cards"][1]["changed_since_last_shift"] is False
    log_in(client, ana)
    page = html.unescape(client.get("/me/checklist").text)
    assert "Changed since your last shift" in page and "New on-call number" in page
    assert page.index("Escalations") < page.index("Refunds")
