"""Feed HTTP: Last-Modified and If-Modified-Since, a file name, the calendar's time zone, and
gzip/brotli on /feeds only, with one weak ETag whatever the encoding."""

from __future__ import annotations

from datetime import timedelta
from email.utils import format_datetime, parsedate_to_datetime

import icalendar
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from core.clock import FixedClock
from tests.factories import cancel, headers_for, make_person, make_rotation, make_shifts
from tests.ics import utc
from tests.web.test_feeds import feed, path, step_past_freshness, urls
from web.feeds import cache as feed_cache_module


def test_if_modified_since_gets_304_until_the_feed_changes(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    ana = make_person(session)
    rotation = make_rotation(session, slug="tier-2")
    shifts = make_shifts(session, rotation=rotation, people=[ana], indexes=range(11, 14))
    url = urls(client, session, ana)["rotation_feed_urls"]["tier-2"]
    first = feed(client, url)
    stamp = first.headers["last-modified"]
    assert parsedate_to_datetime(stamp) <= clock.now()

    assert feed(client, url, **{"If-Modified-Since": stamp}).status_code == 304
    later = format_datetime(clock.now() + timedelta(days=1), usegmt=True)
    assert feed(client, url, **{"If-Modified-Since": later}).status_code == 304
    earlier = format_datetime(parsedate_to_datetime(stamp) - timedelta(seconds=1), usegmt=True)
    assert feed(client, url, **{"If-Modified-Since": earlier}).status_code == 200
    assert feed(client, url, **{"If-Modified-Since": "yesterday"}).status_code == 200
    # If-None-Match decides when both are sent.
    both = {"If-Modified-Since": stamp, "If-None-Match": '"stale"'}
    assert feed(client, url, **both).status_code == 200

    clock.advance(timedelta(hours=2))
    cancel(session, shift=shifts[-1], now=clock.now())
    step_past_freshness(clock)
    changed = feed(client, url, **{"If-Modified-Since": stamp})
    assert changed.status_code == 200
    assert parsedate_to_datetime(changed.headers["last-modified"]) > parsedate_to_datetime(stamp)


def test_feeds_name_their_file_and_time_zone(client: TestClient, session: Session) -> None:
    ana = make_person(session, timezone="America/Santiago")
    rotation = make_rotation(session, slug="tier-2", timezone="Pacific/Chatham")
    make_shifts(session, rotation=rotation, people=[ana], indexes=range(11, 13))
    body = urls(client, session, ana)

    by_rotation = feed(client, body["rotation_feed_urls"]["tier-2"])
    assert by_rotation.headers["content-disposition"] == "inline; filename=tier-2.ics"
    calendar = icalendar.Calendar.from_ical(by_rotation.content)
    assert str(calendar["X-WR-TIMEZONE"]) == "Pacific/Chatham"

    own = feed(client, body["feed_url"])
    assert own.headers["content-disposition"] == "inline; filename=support-shifts.ics"
    assert str(icalendar.Calendar.from_ical(own.content)["X-WR-TIMEZONE"]) == "America/Santiago"


def test_feeds_are_compressed_as_asked_with_one_weak_etag(
    client: TestClient, session: Session
) -> None:
    ana = make_person(session)
    rotation = make_rotation(session, slug="daily", shift_days=1, horizon_days=120)
    make_shifts(session, rotation=rotation, people=[ana], indexes=range(70, 200))
    url = urls(client, session, ana)["rotation_feed_urls"]["daily"]

    plain = feed(client, url, **{"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    for encoding in ("gzip", "br"):
        encoded = client.get(path(url), headers={"Accept-Encoding": encoding})
        assert encoded.headers["content-encoding"] == encoding
        assert "Accept-Encoding" in encoded.headers["vary"]
        # httpx decodes the body: the same calendar, in far fewer bytes on the wire.
        assert encoded.content == plain.content
        assert int(encoded.headers["content-length"]) < len(plain.content) / 4
        assert encoded.headers["etag"] == plain.headers["etag"]
        assert encoded.headers["etag"].startswith('W/"')
        again = client.get(
            path(url),
            headers={"Accept-Encoding": encoding, "If-None-Match": plain.headers["etag"]},
        )
        assert again.status_code == 304

    # Pages are not compressed: only /feeds is.
    page = client.get("/login", headers={"Accept-Encoding": "gzip, br"})
    assert page.status_code == 200
    assert "content-encoding" not in page.headers


def test_a_feed_is_compressed_once_per_change_not_per_request(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    real = feed_cache_module.brotli.compress

    def counting(data: bytes, **kwargs: int) -> bytes:
        calls.append(len(data))
        return bytes(real(data, **kwargs))

    monkeypatch.setattr(feed_cache_module.brotli, "compress", counting)
    ana = make_person(session)
    rotation = make_rotation(session, slug="daily", shift_days=1, horizon_days=120)
    make_shifts(session, rotation=rotation, people=[ana], indexes=range(70, 200))
    url = urls(client, session, ana)["rotation_feed_urls"]["daily"]
    bodies = [client.get(path(url), headers={"Accept-Encoding": "br"}).content for _ in range(3)]
    assert len(calls) == 1 and bodies[0] == bodies[1] == bodies[2]
    # A change through the app: the next request renders and encodes anew.
    admin = make_person(session, is_admin=True)
    renamed = client.patch(
        "/api/v1/rotations/daily", json={"name": "Daily desk"}, headers=headers_for(session, admin)
    )
    assert renamed.status_code == 200, renamed.text
    changed = client.get(path(url), headers={"Accept-Encoding": "br"})
    assert b"Daily desk" in changed.content and len(calls) == 2


def test_last_modified_is_the_latest_change_or_the_start_of_the_day() -> None:
    from rotation.feed.render import FeedShift
    from web.feeds.routes import last_modified

    now = utc("2026-11-24T10:00")
    assert last_modified([], now=now) == utc("2026-11-24T00:00")
    changed = FeedShift(
        shift_id=1,
        uid="u",
        rotation_slug="s",
        rotation_name="S",
        timezone="UTC",
        slot=0,
        people_per_shift=1,
        start=now,
        end=now,
        sequence=0,
        created_at=now,
        modified_at=utc("2026-11-24T09:30"),
    )
    assert last_modified([changed], now=now) == utc("2026-11-24T09:30")
