"""Calendar feeds over HTTP: URLs, contents read by three parsers, caching, tokens, bad input."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from core import feed_tokens
from core.clock import FixedClock
from core.models import AuditEvent, Person
from rotation.models import Rotation
from tests.conftest import LiveServer
from tests.factories import (
    auth,
    cancel,
    make_person,
    make_rotation,
    make_shift,
    make_shifts,
    make_token,
    reassign,
)
from tests.ics import read_all, run_icaljs, utc
from tests.querycount import count_statements
from web.feeds.cache import FRESH_SECONDS
from web.feeds.routes import webcal

BASE = "http://testserver"


def urls(client: TestClient, session: Session, person: Person) -> dict[str, Any]:
    response = client.get("/api/v1/me/calendar", headers=auth(make_token(session, person)))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def path(url: str) -> str:
    assert url.startswith(BASE + "/feeds/"), url
    return url.removeprefix(BASE)


def feed(client: TestClient, url: str, **headers: str) -> httpx.Response:
    return client.get(path(url), headers=headers)


def step_past_freshness(clock: FixedClock) -> None:
    """Let the short-lived caches expire, as they do after FRESH_SECONDS on any instance."""
    clock.advance(timedelta(seconds=FRESH_SECONDS + 1))


def test_me_calendar_offers_https_and_webcal_urls_with_an_unguessable_token(
    client: TestClient, session: Session
) -> None:
    ana = make_person(session)
    tier2 = make_rotation(session, slug="tier-2", name="Tier 2")
    make_rotation(session, slug="old", archived=True)

    body = urls(client, session, ana)

    assert set(body) >= {"feed_url", "webcal_url", "rotation_feed_urls"}
    match = re.fullmatch(rf"{BASE}/feeds/(\d+)-([A-Za-z0-9_-]{{43}})\.ics", body["feed_url"])
    assert match is not None and int(match.group(1)) == ana.id  # 43 base64 chars: 256 bits
    token = f"{match.group(1)}-{match.group(2)}"
    assert body["webcal_url"] == body["feed_url"].replace("http://", "webcal://")
    assert body["rotation_feed_urls"] == {
        tier2.slug: f"{BASE}/feeds/{token}/rotations/{tier2.slug}.ics"
    }
    assert body["rotation_webcal_urls"][tier2.slug].startswith("webcal://testserver/feeds/")
    assert client.get("/api/v1/me/calendar").status_code == 401


def test_person_feed_is_served_as_calendar_and_read_alike_by_three_parsers(
    client: TestClient, session: Session
) -> None:
    ana = make_person(session, name="Ana")
    bo = make_person(session, name="Bo")
    rotation = make_rotation(session, name="Tier 2", timezone="Europe/Amsterdam")
    # Weekly from Monday 7 Sep at 09:00 Amsterdam time; week 6 spans the change on 25 Oct.
    shifts = make_shifts(session, rotation=rotation, people=[ana, bo], indexes=range(4, 12))
    other = make_rotation(session, name="Escalations", timezone="America/New_York")
    escalation = make_shift(session, rotation=other, index=12, person=ana)

    response = feed(client, urls(client, session, ana)["feed_url"])

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["etag"].startswith('W/"')  # weak: one per content, any encoding
    assert response.headers["cache-control"] == "private, max-age=300"
    seen = read_all(response.content)
    mine = {s.uid: s for s in shifts if s.person_id == ana.id and s.index >= 6}
    assert set(seen) == {*mine, escalation.uid}
    dst = next(s for s in shifts if s.index == 6)
    assert (seen[dst.uid].start, seen[dst.uid].end) == (
        utc("2026-10-19T07:00"),
        utc("2026-10-26T08:00"),
    )
    for uid, shift in mine.items():
        assert (seen[uid].start, seen[uid].end) == (shift.start, shift.end)
        assert seen[uid].status == "CONFIRMED"
    # 12 weeks after 7 Sep in New York: 30 Nov 09:00 EST is 14:00Z.
    assert seen[escalation.uid].start == utc("2026-11-30T14:00")
    parsed = run_icaljs(response.content)
    assert sorted(parsed["timezones"]) == ["America/New_York", "Europe/Amsterdam"]
    assert parsed["name"] == "Support shifts: Ana"
    # Bo is named only as whom Ana takes over from and hands over to, nothing else of his.
    descriptions = [e["description"] for e in parsed["events"]]
    assert any("You take over from: Bo" in d for d in descriptions)
    assert any("You hand over to: Bo" in d for d in descriptions)
    assert not any("Bo" in e["summary"] for e in parsed["events"])


def test_rotation_feed_shows_every_shift_with_its_person(
    client: TestClient, session: Session
) -> None:
    ana = make_person(session, name="Ana")
    bo = make_person(session, name="Bo")
    rotation = make_rotation(session, name="Tier 2")
    shifts = make_shifts(session, rotation=rotation, people=[ana, bo, None], indexes=range(6, 12))
    cancel(session, shift=shifts[-1], now=utc("2026-11-20T10:00"))

    url = urls(client, session, ana)["rotation_feed_urls"][rotation.slug]
    response = feed(client, url)

    assert response.status_code == 200
    seen = read_all(response.content)
    assert set(seen) == {s.uid for s in shifts}
    assert seen[shifts[-1].uid].status == "CANCELLED"
    events = run_icaljs(response.content)["events"]
    summaries = [e["summary"] for e in sorted(events, key=lambda e: e["start"])]
    assert summaries == [
        "Tier 2: Ana",
        "Tier 2: Bo",
        "Tier 2: uncovered",
        "Tier 2: Ana",
        "Tier 2: Bo",
        "Cancelled: Tier 2",  # said in the title: Outlook ignores STATUS
    ]
    assert all(e["transp"] == "TRANSPARENT" for e in events)
    first = shifts[0].id
    assert events[0]["url"] == f"{BASE}/rotations/{rotation.slug}?shift={first}#shift-{first}"
    assert f"{BASE}/me/checklist" in events[0]["description"]


def test_swap_grows_sequence_keeps_uid_and_leaves_a_cancelled_event(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    ana = make_person(session, name="Ana")
    bo = make_person(session, name="Bo")
    rotation = make_rotation(session)
    shift = make_shift(session, rotation=rotation, index=13, person=ana)
    keep = make_shift(session, rotation=rotation, index=15, person=ana)
    ana_url = urls(client, session, ana)["feed_url"]
    bo_url = urls(client, session, bo)["feed_url"]
    before = read_all(feed(client, ana_url).content)
    assert before[shift.uid].sequence == 0

    reassign(session, shift=shift, person=bo, now=clock.now())
    step_past_freshness(clock)

    after_ana = read_all(feed(client, ana_url).content)
    after_bo = read_all(feed(client, bo_url).content)
    assert set(after_ana) == set(before) == {shift.uid, keep.uid}
    assert (after_ana[shift.uid].status, after_ana[shift.uid].sequence) == ("CANCELLED", 1)
    assert after_ana[keep.uid] == before[keep.uid]
    assert (after_bo[shift.uid].status, after_bo[shift.uid].sequence) == ("CONFIRMED", 1)
    assert after_bo[shift.uid].start == before[shift.uid].start

    clock.advance(timedelta(days=31))
    assert set(read_all(feed(client, ana_url).content)) == {keep.uid}


def test_uids_and_bytes_are_stable_across_regenerations(
    client: TestClient, app: FastAPI, session: Session, clock: FixedClock
) -> None:
    ana = make_person(session)
    rotation = make_rotation(session)
    make_shifts(session, rotation=rotation, people=[ana], indexes=range(10, 20))
    url = urls(client, session, ana)["feed_url"]
    first = feed(client, url)

    app.state.feed_cache.rendered.clear()
    step_past_freshness(clock)
    second = feed(client, url)

    assert second.content == first.content
    assert second.headers["etag"] == first.headers["etag"]
    assert set(read_all(second.content)) == set(read_all(first.content))


def test_matching_etag_gets_304_and_head_gets_headers_only(
    client: TestClient, session: Session
) -> None:
    ana = make_person(session)
    make_shift(session, rotation=make_rotation(session), index=13, person=ana)
    url = urls(client, session, ana)["feed_url"]
    full = feed(client, url)
    etag = full.headers["etag"]

    strong = etag.removeprefix("W/")
    for header in (etag, strong, f'"other", {etag}', "*"):
        not_modified = feed(client, url, **{"If-None-Match": header})
        assert not_modified.status_code == 304, header
        assert not_modified.content == b""
        assert not_modified.headers["etag"] == etag
    assert feed(client, url, **{"If-None-Match": '"stale"'}).status_code == 200

    head = client.head(path(url))
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == "text/calendar; charset=utf-8"
    assert head.headers["etag"] == etag
    # HEAD answers GET's headers: the same length and encoding the client would get.
    assert head.headers["content-length"] == full.headers["content-length"]
    assert head.headers.get("content-encoding") == full.headers.get("content-encoding")
    rotation_head = client.head(path(url).replace(".ics", "/rotations/nope.ics"))
    assert rotation_head.status_code == 404


def test_rotating_the_token_makes_old_urls_404_at_once(
    client: TestClient, session: Session
) -> None:
    ana = make_person(session)
    rotation = make_rotation(session)
    make_shift(session, rotation=rotation, index=13, person=ana)
    headers = auth(make_token(session, ana))
    old = urls(client, session, ana)
    assert feed(client, old["feed_url"]).status_code == 200  # now cached on this instance
    assert feed(client, old["rotation_feed_urls"][rotation.slug]).status_code == 200

    rotated = client.post("/api/v1/me/calendar/rotate", headers=headers)

    assert rotated.status_code == 200
    new = rotated.json()
    assert new["feed_url"] != old["feed_url"]
    assert new == urls(client, session, ana)
    for url in (old["feed_url"], old["rotation_feed_urls"][rotation.slug]):
        gone = feed(client, url)
        assert gone.status_code == 404
        assert gone.json() == {"detail": "Not Found"}
    assert feed(client, new["feed_url"]).status_code == 200
    assert feed(client, new["rotation_feed_urls"][rotation.slug]).status_code == 200
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.subject_id == str(ana.id))
    ).all()
    assert "person.rotate_feed_token" in actions


def test_rotate_needs_authentication_and_changes_nothing_without_it(
    client: TestClient, session: Session
) -> None:
    ana = make_person(session)
    assert client.post("/api/v1/me/calendar/rotate").status_code == 401
    bad = client.post("/api/v1/me/calendar/rotate", headers=auth("ah_wrong"))
    assert bad.status_code == 401
    session.refresh(ana)
    assert ana.feed_token_version == 0
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == 0


GARBAGE = [
    "x",
    "1-short",
    "1-" + "A" * 42,
    "1-" + "A" * 44,
    "1-" + "A" * 43,  # the right shape, the wrong MAC
    "2147483647-" + "A" * 43,  # the largest id: nobody has it
    "2147483648-" + "A" * 43,  # larger than any id can be
    "999999999999999999-" + "A" * 43,
    "0-" + "A" * 43,
    "-1-" + "A" * 43,
    "1" * 5000,
    "ü" * 50,
    "%C3%BC-" + "A" * 41,
    "%00",
    "..%2F..%2Fetc%2Fpasswd",
    "1-AAAA%2F..%2F..",
    "null",
    "1-" + "A" * 43 + ".ics",
]


@pytest.mark.parametrize("token", GARBAGE)
def test_garbage_tokens_get_a_plain_404(client: TestClient, session: Session, token: str) -> None:
    rotation = make_rotation(session)
    for url in (f"/feeds/{token}.ics", f"/feeds/{token}/rotations/{rotation.slug}.ics"):
        for method in ("GET", "HEAD"):
            response = client.request(method, url)
            assert response.status_code == 404, (method, url)
            if method == "GET":
                assert response.json() == {"detail": "Not Found"}


def test_other_bad_feed_requests_get_404_never_500(client: TestClient, session: Session) -> None:
    ana = make_person(session)
    gone = make_person(session)
    body = urls(client, session, ana)
    gone_url = urls(client, session, gone)["feed_url"]
    gone.active = False
    session.flush()
    token = path(body["feed_url"]).removeprefix("/feeds/").removesuffix(".ics")

    for url in [
        f"/feeds/{token}/rotations/no-such-rotation.ics",
        f"/feeds/{token}/rotations/{'ü' * 20}.ics",
        f"/feeds/{token}/rotations/..%2F..%2Fx.ics",
        f"/feeds/{token}",
        f"/feeds/{token}.ICS",
        path(gone_url),
    ]:
        response = client.get(url)
        assert response.status_code == 404, url


def test_a_warm_feed_runs_no_query_and_a_cold_one_a_fixed_few(
    client: TestClient, app: FastAPI, session: Session, connection: Connection, clock: FixedClock
) -> None:
    counts = []
    for weeks in (2, 40):
        ana = make_person(session)
        rotation = make_rotation(session, people_per_shift=2, horizon_days=400)
        make_shifts(
            session,
            rotation=rotation,
            people=[ana, make_person(session)],
            indexes=range(8, 8 + weeks),
        )
        body = urls(client, session, ana)
        for url in (body["feed_url"], body["rotation_feed_urls"][rotation.slug]):
            step_past_freshness(clock)
            with count_statements(connection) as cold:
                assert feed(client, url).status_code == 200
            with count_statements(connection) as warm:
                for _ in range(3):
                    assert feed(client, url).status_code == 200
            counts.append((len(cold.selects), len(warm.selects)))
    # Person feed: holder, fingerprint, then three reads; rotation feed: holder, fingerprint,
    # rotation and shifts; both then the rotations' duty rules (coverage windows, holidays).
    # Warm requests are served from memory.
    assert counts == [(6, 0), (5, 0), (6, 0), (5, 0)]


def test_a_change_from_elsewhere_shows_within_the_freshness_bound(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    ana = make_person(session)
    bo = make_person(session)
    rotation = make_rotation(session)
    shift = make_shift(session, rotation=rotation, index=13, person=ana)
    url = urls(client, session, ana)["feed_url"]
    first = feed(client, url)

    # Written directly to the database, as another instance or a CLI job would.
    reassign(session, shift=shift, person=bo, now=clock.now())
    clock.advance(timedelta(seconds=FRESH_SECONDS - 1))
    assert feed(client, url).content == first.content
    clock.advance(timedelta(seconds=2))
    assert read_all(feed(client, url).content)[shift.uid].status == "CANCELLED"


def test_a_change_committed_through_this_instance_shows_at_once(
    client: TestClient, app: FastAPI, session: Session
) -> None:
    ana = make_person(session)
    bo = make_person(session)
    rotation = make_rotation(session)
    shift = make_shift(session, rotation=rotation, index=13, person=ana)
    body = urls(client, session, ana)
    assert read_all(feed(client, body["feed_url"]).content)[shift.uid].sequence == 0
    rotation_feed = feed(client, body["rotation_feed_urls"][rotation.slug])

    with app.state.sessionmaker() as writer:  # what a swap request's unit of work does
        swapped = writer.get(type(shift), shift.id)
        assert swapped is not None
        reassign(
            writer, shift=swapped, person=writer.get(Person, bo.id), now=utc("2026-11-24T10:00")
        )
        writer.commit()

    after = read_all(feed(client, body["feed_url"]).content)
    assert (after[shift.uid].status, after[shift.uid].sequence) == ("CANCELLED", 1)
    assert feed(client, body["rotation_feed_urls"][rotation.slug]).content != rotation_feed.content


def test_archived_rotation_shows_cancelled_in_both_feeds(
    client: TestClient, app: FastAPI, session: Session, clock: FixedClock
) -> None:
    ana = make_person(session)
    rotation = make_rotation(session)
    shift = make_shift(session, rotation=rotation, index=13, person=ana)
    body = urls(client, session, ana)

    archived = session.get(Rotation, rotation.id)
    assert archived is not None
    archived.archived = True
    archived.updated_at = clock.now()
    session.flush()
    step_past_freshness(clock)

    for url in (body["feed_url"], body["rotation_feed_urls"][rotation.slug]):
        seen = read_all(feed(client, url).content)
        assert (seen[shift.uid].status, seen[shift.uid].sequence) == ("CANCELLED", 1)


def test_openapi_lists_the_feed_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/feeds/{token}.ics", "/feeds/{token}/rotations/{slug}.ics"} <= set(paths)
    assert "post" in paths["/api/v1/me/calendar/rotate"]


def test_live_server_serves_feeds_over_real_http(live_server: LiveServer) -> None:
    with live_server.sessions() as session:
        ana = make_person(session, name="Ana")
        rotation = make_rotation(session)
        make_shifts(session, rotation=rotation, people=[ana], indexes=range(6, 10))
        token = make_token(session, ana)
        session.commit()

    with httpx.Client(base_url=live_server.url, timeout=10) as http:
        body = http.get("/api/v1/me/calendar", headers=auth(token)).json()
        assert body["feed_url"].startswith(live_server.url + "/feeds/")
        assert body["webcal_url"].startswith("webcal://127.0.0.1:")
        url = body["feed_url"]
        got = http.get(url)
        assert got.status_code == 200
        assert got.headers["content-type"] == "text/calendar; charset=utf-8"
        assert len(read_all(got.content)) == 4
        head = http.head(url)
        assert (head.status_code, head.content) == (200, b"")
        assert head.headers["content-length"] == got.headers["content-length"]
        assert http.get(url, headers={"If-None-Match": got.headers["etag"]}).status_code == 304
        assert http.get(url.replace("-", "-x", 1)).status_code == 404
        rotated = http.post("/api/v1/me/calendar/rotate", headers=auth(token))
        assert rotated.status_code == 200
        assert http.get(url).status_code == 404
        assert http.get(rotated.json()["feed_url"]).status_code == 200
    assert feed_tokens.parse_feed_token(url.rsplit("/", 1)[1].removesuffix(".ics")) == ana.id


def test_a_person_without_shifts_gets_an_empty_calendar(
    client: TestClient, session: Session
) -> None:
    ana = make_person(session, name="Ana")
    response = feed(client, urls(client, session, ana)["feed_url"])
    assert response.status_code == 200
    assert read_all(response.content) == {}
    assert run_icaljs(response.content)["name"] == "Support shifts: Ana"


def test_webcal_urls_replace_the_scheme_only() -> None:
    assert webcal("https://allhands.example.com/feeds/1-x.ics") == (
        "webcal://allhands.example.com/feeds/1-x.ics"
    )
    assert webcal("http://127.0.0.1:8000/feeds/1-x.ics") == "webcal://127.0.0.1:8000/feeds/1-x.ics"
