"""A rotation's slug changes: old feed URLs answer 301 to the new ones, old page URLs too, and
no other rotation can take the old slug while its links still lead to the first."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from core.clock import FixedClock
from tests.factories import auth, make_person, make_rotation, make_shifts, make_token
from tests.ics import read_all
from tests.web.rotation_page_helpers import log_in
from tests.web.test_feeds import feed, path, step_past_freshness, urls


def rename_slug(client: TestClient, session: Session, slug: str, new: str) -> None:
    admin = make_person(session, is_admin=True)
    response = client.patch(
        f"/api/v1/rotations/{slug}", json={"slug": new}, headers=auth(make_token(session, admin))
    )
    assert response.status_code == 200, response.text


def test_old_feed_urls_redirect_permanently_to_the_new_slug(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    ana = make_person(session)
    rotation = make_rotation(session, slug="tier-2")
    make_shifts(session, rotation=rotation, people=[ana], indexes=range(11, 14))
    old_url = urls(client, session, ana)["rotation_feed_urls"]["tier-2"]
    before = read_all(feed(client, old_url).content)

    rename_slug(client, session, "tier-2", "tier-two")
    step_past_freshness(clock)

    moved = client.get(path(old_url), follow_redirects=False)
    assert moved.status_code == 301
    new_url = old_url.replace("/rotations/tier-2.ics", "/rotations/tier-two.ics")
    assert moved.headers["location"] == new_url
    assert read_all(feed(client, new_url).content) == before
    assert urls(client, session, ana)["rotation_feed_urls"] == {"tier-two": new_url}
    # Nothing is told to a wrong token, and an unknown slug is still a 404.
    wrong = path(old_url).replace(f"/feeds/{ana.id}-", f"/feeds/{ana.id}-x")
    assert client.get(wrong, follow_redirects=False).status_code == 404
    unknown = path(old_url).replace("tier-2.ics", "tier-3.ics")
    assert client.get(unknown, follow_redirects=False).status_code == 404
    # Still so once the short-lived caches have been refilled.
    clock.advance(timedelta(minutes=1))
    assert client.get(path(old_url), follow_redirects=False).status_code == 301


def test_old_page_urls_redirect_permanently(client: TestClient, session: Session) -> None:
    make_rotation(session, slug="tier-2")
    rename_slug(client, session, "tier-2", "tier-two")
    log_in(client, make_person(session, is_admin=True, password="a long password"))

    page = client.get("/rotations/tier-2?month=2026-12", follow_redirects=False)
    assert page.status_code == 301
    assert page.headers["location"] == "/rotations/tier-two?month=2026-12"
    manage = client.get("/rotations/tier-2/manage", follow_redirects=False)
    assert (manage.status_code, manage.headers["location"]) == (301, "/rotations/tier-two/manage")
    missing = client.get("/rotations/tier-3")
    assert missing.status_code == 404
    assert "text/html" in missing.headers["content-type"]


def test_an_old_slug_stays_its_rotations_until_it_takes_it_back(
    client: TestClient, session: Session
) -> None:
    admin = make_person(session, is_admin=True)
    headers = auth(make_token(session, admin))
    make_rotation(session, slug="tier-2")
    rename_slug(client, session, "tier-2", "tier-two")

    taken = client.post(
        "/api/v1/rotations",
        json={"name": "Other", "slug": "tier-2", "timezone": "UTC", "start_date": "2026-11-23"},
        headers=headers,
    )
    assert taken.status_code == 409
    assert "tier-2" in taken.json()["detail"]

    back = client.patch("/api/v1/rotations/tier-two", json={"slug": "tier-2"}, headers=headers)
    assert back.status_code == 200, back.text
    log_in(client, make_person(session, password="a long password"))
    page = client.get("/rotations/tier-two", follow_redirects=False)
    assert (page.status_code, page.headers["location"]) == (301, "/rotations/tier-2")
    assert client.get("/rotations/tier-2").status_code == 200
