"""Card lists are filtered and paged by the database: the same answers as the pure rule,
one page at a time."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from kb_links import freshness, registry_queries, service
from kb_links.registry_queries import CardFilter
from tests.conftest import DEFAULT_NOW
from tests.factories import auth, make_card, make_person, make_token


def test_staleness_in_sql_agrees_with_the_rule_at_the_boundary(session: Session) -> None:
    cases = {
        "exactly due": make_card(session, last_verified_at=DEFAULT_NOW - timedelta(days=90)),
        "a second early": make_card(
            session, last_verified_at=DEFAULT_NOW - timedelta(days=90) + timedelta(seconds=1)
        ),
        "long ago, weekly": make_card(
            session, verify_every_days=7, last_verified_at=DEFAULT_NOW - timedelta(days=8)
        ),
        "yesterday, daily": make_card(
            session, verify_every_days=1, last_verified_at=DEFAULT_NOW - timedelta(hours=23)
        ),
        "never": make_card(session, last_verified_at=None),
    }
    session.flush()
    stale = {card.id for card in service.list_cards(session, now=DEFAULT_NOW, stale=True)}
    expected = {
        card.id
        for card in cases.values()
        if freshness.is_stale(
            last_verified_at=card.last_verified_at,
            verify_every_days=card.verify_every_days,
            now=DEFAULT_NOW,
        )
    }
    assert stale == expected == {
        cases["exactly due"].id, cases["long ago, weekly"].id, cases["never"].id
    }  # fmt: skip
    summary = registry_queries.summary(session, now=DEFAULT_NOW)
    assert (summary.current, summary.stale, summary.archived) == (5, 3, 0)
    where = CardFilter(show="stale")
    assert registry_queries.count(session, where=where, now=DEFAULT_NOW) == 3


def test_the_stale_cards_come_a_page_at_a_time(client: TestClient, session: Session) -> None:
    headers = auth(make_token(session, make_person(session)))
    for n in range(7):
        make_card(session, title=f"Old {n}", last_verified_at=DEFAULT_NOW - timedelta(days=400))
        make_card(session, title=f"New {n}")
    first = client.get("/api/v1/cards?stale=true&limit=3", headers=headers)
    assert [c["title"] for c in first.json()] == ["Old 0", "Old 1", "Old 2"]
    assert "page=2" in first.headers["link"]
    last = client.get("/api/v1/cards?stale=true&limit=3&page=3", headers=headers)
    assert [c["title"] for c in last.json()] == ["Old 6"]
    assert "link" not in last.headers
    fresh = client.get("/api/v1/cards?stale=false&limit=5&page=2", headers=headers)
    assert [c["title"] for c in fresh.json()] == ["New 5", "New 6"]
