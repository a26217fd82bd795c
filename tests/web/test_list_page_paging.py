"""HTML list pages show one page of rows at a time, with previous/next links that keep filters."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from rotation.models import TimeOff
from tests.conftest import DEFAULT_NOW
from tests.factories import make_card, make_card_set, make_person, make_rotation
from tests.web.test_admin_pages import login_as
from web.pages.pager import PAGE_SIZE

MORE = PAGE_SIZE + 7
LINK = re.compile(r'<a href="([^"]+)" rel="(prev|next)">')


def links(page: str) -> dict[str, str]:
    return {rel: html.unescape(href) for href, rel in LINK.findall(page)}


def ids(page: str, prefix: str) -> list[str]:
    return re.findall(rf'id="{prefix}-([^"]+)"', page)


def test_people_page_by_page(client: TestClient, session: Session) -> None:
    login_as(client, session, admin=True)
    for n in range(MORE - 1):
        make_person(session, name=f"Person {n:04d}")
    first = client.get("/people")
    assert first.status_code == 200
    assert len(ids(first.text, "person")) == PAGE_SIZE
    assert f"Page 1 of 2 (1\u2013{PAGE_SIZE} of {MORE})" in first.text
    assert links(first.text) == {"next": "/people?page=2"}

    second = client.get(links(first.text)["next"])
    assert len(ids(second.text, "person")) == MORE - PAGE_SIZE
    assert links(second.text) == {"prev": "/people?page=1"}
    assert not set(ids(first.text, "person")) & set(ids(second.text, "person"))
    # A page past the end shows the last one; a page that is not a number is refused.
    assert ids(client.get("/people?page=9").text, "person") == ids(second.text, "person")
    assert client.get("/people?page=0").status_code == 422
    assert client.get("/people?page=x").status_code == 422


def test_cards_page_keeps_its_filters_across_pages(client: TestClient, session: Session) -> None:
    login_as(client, session, admin=True)
    stale = DEFAULT_NOW - timedelta(days=400)
    for n in range(MORE):
        make_card(session, title=f"Stale {n:04d}", last_verified_at=stale, collection="Ops")
    make_card(session, title="Fresh", collection="Ops")
    first = client.get("/cards?show=stale&collection=Ops")
    assert len(ids(first.text, "card")) == PAGE_SIZE
    nxt = links(first.text)["next"]
    assert nxt == "/cards?show=stale&collection=Ops&page=2"
    second = client.get(nxt)
    assert len(ids(second.text, "card")) == MORE - PAGE_SIZE
    assert "Fresh" not in first.text + second.text
    # The counts above the list are over every card, not the page.
    assert f"({MORE})" in second.text


def test_card_sets_rotations_and_time_off_page_too(client: TestClient, session: Session) -> None:
    admin = login_as(client, session, admin=True)
    for n in range(MORE):
        make_card_set(session, cards=[], name=f"Set {n:04d}")
        make_rotation(session, name=f"Rotation {n:04d}", slug=f"r-{n:04d}")
        day = date(2027, 1, 1) + timedelta(days=2 * n)
        session.add(
            TimeOff(
                person_id=admin.id, start=day, end=day, reason=f"Day {n}", created_at=DEFAULT_NOW
            )
        )
    session.flush()
    for path, prefix in (
        ("/card-sets", "card-set"),
        ("/rotations", "rotation"),
        ("/time-off", "time-off"),
    ):
        first = client.get(path)
        assert first.status_code == 200, path
        assert len(ids(first.text, prefix)) == PAGE_SIZE, path
        assert "next" in links(first.text), path
        second = client.get(links(first.text)["next"])
        assert len(ids(second.text, prefix)) == MORE - PAGE_SIZE, path
        assert links(second.text) == {"prev": f"{path}?page=1"}
