"""The third feed kind: one person's shifts in one rotation ("my shifts in tier-2 only")."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import auth, make_person, make_rotation, make_shifts, make_token, reassign
from tests.ics import read_all, run_icaljs, utc
from tests.web.rotation_page_helpers import log_in
from tests.web.test_feeds import BASE, feed, path, urls


def test_my_rotation_feed_holds_only_my_shifts_in_that_rotation(
    client: TestClient, session: Session
) -> None:
    ana, bo = make_person(session, name="Ana"), make_person(session, name="Bo")
    tier2 = make_rotation(session, slug="tier-2", name="Tier 2")
    other = make_rotation(session, slug="escalations")
    shifts = make_shifts(session, rotation=tier2, people=[ana, bo], indexes=range(11, 17))
    make_shifts(session, rotation=other, people=[ana], indexes=range(11, 13))
    given_away = shifts[2]
    reassign(session, shift=given_away, person=bo, now=utc("2026-11-20T10:00"), kind="override")

    body = urls(client, session, ana)
    token = body["feed_url"].removeprefix(f"{BASE}/feeds/").removesuffix(".ics")
    url = body["my_rotation_feed_urls"]["tier-2"]
    assert url == f"{BASE}/feeds/{token}/mine/tier-2.ics"
    assert body["my_rotation_webcal_urls"]["tier-2"] == url.replace("http://", "webcal://")
    response = feed(client, url)

    assert response.status_code == 200
    assert response.headers["content-disposition"] == "inline; filename=tier-2-mine.ics"
    seen = read_all(response.content)
    mine = {s.uid for s in shifts if s.person_id == ana.id}
    assert set(seen) == mine | {given_away.uid}
    assert seen[given_away.uid].status == "CANCELLED"
    assert run_icaljs(response.content)["name"] == "Tier 2: my shifts"

    assert client.get(path(url).replace("tier-2", "tier-3")).status_code == 404
    assert client.get(path(url).replace(token, token[:-1] + "x")).status_code == 404


def test_old_slug_of_my_rotation_feed_redirects(client: TestClient, session: Session) -> None:
    ana = make_person(session, is_admin=True)
    make_rotation(session, slug="tier-2")
    url = urls(client, session, ana)["my_rotation_feed_urls"]["tier-2"]
    renamed = client.patch(
        "/api/v1/rotations/tier-2",
        json={"slug": "tier-two"},
        headers=auth(make_token(session, ana)),
    )
    assert renamed.status_code == 200, renamed.text
    moved = client.get(path(url), follow_redirects=False)
    assert moved.status_code == 301
    assert moved.headers["location"] == url.replace("/mine/tier-2.ics", "/mine/tier-two.ics")


def test_rotation_and_home_pages_offer_my_feed_beside_the_others(
    client: TestClient, session: Session
) -> None:
    ana = make_person(session, name="Ana", password="a long password")
    make_rotation(session, slug="tier-2", name="Tier 2", members=[ana])
    make_rotation(session, slug="not-mine", name="Not mine")
    body = urls(client, session, ana)
    log_in(client, ana)

    page = client.get("/rotations/tier-2").text
    assert body["my_rotation_webcal_urls"]["tier-2"] in page
    assert body["rotation_webcal_urls"]["tier-2"] in page
    assert body["webcal_url"] in page
    home = client.get("/").text
    assert body["my_rotation_webcal_urls"]["tier-2"] in home
    assert body["rotation_webcal_urls"]["tier-2"] in home
    assert "not-mine" not in home
