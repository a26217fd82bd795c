"""The stale-card list in the order shifts need the cards: "needed by Ana's shift on Mon 7 Dec"."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from onboarding import needed_by
from tests.conftest import DEFAULT_NOW
from tests.factories import (
    MONDAY,
    make_card,
    make_card_set,
    make_person,
    make_requirement,
    make_rotation,
    make_shift,
)
from tests.web.rotation_page_helpers import PASSWORD, log_in

STALE = DEFAULT_NOW - timedelta(days=200)


def test_stale_cards_are_listed_by_the_next_shift_that_needs_them(
    client: TestClient, session: Session
) -> None:
    ana = make_person(session, name="Ana", password=PASSWORD)
    bo = make_person(session, name="Bo")
    later, sooner, unneeded = (
        make_card(session, title=t, last_verified_at=STALE) for t in ("Alpha", "Beta", "Gamma")
    )
    first = make_rotation(session, timezone="UTC", start_date=MONDAY, members=[ana])
    second = make_rotation(session, timezone="UTC", start_date=MONDAY, members=[bo])
    make_requirement(session, rotation=first, card_set=make_card_set(session, cards=[sooner]))
    make_requirement(session, rotation=second, card_set=make_card_set(session, cards=[later]))
    make_shift(session, rotation=first, person=ana, index=2)  # Mon 7 Dec
    make_shift(session, rotation=second, person=bo, index=3)  # Mon 14 Dec
    # Over already: it needs nothing any more.
    make_shift(session, rotation=second, person=bo, start=DEFAULT_NOW - timedelta(days=9), days=7)
    session.flush()
    found = needed_by.next_needed(
        session, card_ids=[later.id, sooner.id, unneeded.id], now=DEFAULT_NOW
    )
    assert {
        card_id: (n.person_name, n.start.date().isoformat()) for card_id, n in found.items()
    } == {
        sooner.id: ("Ana", "2026-12-07"),
        later.id: ("Bo", "2026-12-14"),
    }
    log_in(client, ana)
    page = html.unescape(client.get("/cards?show=stale").text)
    assert re.findall(r'<tr id="card-(\d+)"', page) == [
        str(sooner.id),
        str(later.id),
        str(unneeded.id),
    ]
    assert "needed by Ana's shift on Mon 07 Dec" in re.sub(r"<[^>]+>", "", page)


def test_the_needed_cards_lead_the_stale_list_across_its_pages(
    client: TestClient, session: Session
) -> None:
    ana = make_person(session, name="Ana", password=PASSWORD)
    others = [make_card(session, title=f"Card {n:03d}", last_verified_at=STALE) for n in range(104)]
    last_by_title = make_card(session, title="Zulu", last_verified_at=STALE)
    rotation = make_rotation(session, timezone="UTC", start_date=MONDAY, members=[ana])
    held = make_card_set(session, cards=[last_by_title, others[50]])
    make_requirement(session, rotation=rotation, card_set=held)
    make_shift(session, rotation=rotation, person=ana, index=2)
    session.flush()
    log_in(client, ana)
    pages = [
        re.findall(r'<tr id="card-(\d+)"', client.get(f"/cards?show=stale&page={n}").text)
        for n in (1, 2)
    ]
    assert [len(page) for page in pages] == [100, 5]
    # Both needed cards first (same shift: title order), then the rest by title.
    rest = [card for n, card in enumerate(others) if n != 50]
    assert pages[0] + pages[1] == [str(card.id) for card in (others[50], last_by_title, *rest)]
