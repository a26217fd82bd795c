"""Calendar feeds in their holder's language: a Dutch speaker's feeds have Dutch summaries and
descriptions, the same UIDs as in English, their own bytes and ETag (also from the fast
path), and change when the person changes language."""

from __future__ import annotations

import httpx
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy.orm import Session

from core.clock import FixedClock
from tests.factories import cancel, make_person, make_rotation, make_shift, make_shifts
from tests.ics import utc
from tests.web.test_feeds import feed, step_past_freshness, urls


def _events(response: httpx.Response) -> dict[str, tuple[str, str]]:
    """UID → (SUMMARY, DESCRIPTION), parsed with icalendar."""
    assert response.status_code == 200, response.text
    calendar = Calendar.from_ical(response.content)
    return {
        str(event["UID"]): (str(event["SUMMARY"]), str(event["DESCRIPTION"]))
        for event in calendar.walk("VEVENT")
    }


def _name(response: httpx.Response) -> str:
    return str(Calendar.from_ical(response.content)["X-WR-CALNAME"])


def test_a_dutch_speakers_feeds_are_dutch_with_the_same_uids(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    ana = make_person(session, name="Ana")
    bo = make_person(session, name="Bo")
    rotation = make_rotation(session, name="Tier 2", timezone="Europe/Amsterdam")
    shifts = make_shifts(session, rotation=rotation, people=[ana, bo, None], indexes=range(6, 12))
    gone = make_shift(session, rotation=rotation, index=13, person=ana)
    cancel(session, shift=gone, now=utc("2026-11-20T10:00"))
    found = urls(client, session, ana)
    person_url, rotation_url = found["feed_url"], found["rotation_feed_urls"][rotation.slug]

    english = feed(client, person_url)
    english_rotation = feed(client, rotation_url)
    assert _name(english) == "Support shifts: Ana"

    ana.locale = "nl"
    session.commit()
    step_past_freshness(clock)
    dutch = feed(client, person_url)
    dutch_rotation = feed(client, rotation_url)

    assert _name(dutch) == "Supportdiensten: Ana"
    assert dutch.headers["etag"] != english.headers["etag"]
    assert dutch_rotation.headers["etag"] != english_rotation.headers["etag"]
    seen, before = _events(dutch), _events(english)
    assert set(seen) == set(before) == {s.uid for s in shifts if s.person_id == ana.id} | {gone.uid}
    assert seen[gone.uid][0] == "Geannuleerd: Tier 2"
    assert before[gone.uid][0] == "Cancelled: Tier 2"
    first = next(s for s in shifts if s.person_id == ana.id)
    summary, description = seen[first.uid]
    assert summary == "Tier 2"
    assert "Van dienst: Ana" in description and "Je draagt over aan: Bo" in description
    assert "Bereid je voor (verplicht leeswerk): " in description
    assert "Wil je ruilen? Vraag een collega" in description
    rotation_events = _events(dutch_rotation)
    assert set(rotation_events) == set(_events(english_rotation))
    uncovered = next(s for s in shifts if s.person_id is None)
    assert rotation_events[uncovered.uid][0] == "Tier 2: onbezet"

    # A warm feed is answered by the fast path: the same Dutch bytes, and 304 on its ETag.
    again = feed(client, person_url)
    assert again.content == dutch.content and again.headers["etag"] == dutch.headers["etag"]
    assert feed(client, person_url, **{"If-None-Match": dutch.headers["etag"]}).status_code == 304
    assert feed(client, person_url, **{"If-None-Match": english.headers["etag"]}).status_code == 200

    # Back to English: the very bytes of before.
    ana.locale = None
    session.commit()
    step_past_freshness(clock)
    assert feed(client, person_url).content == english.content
    assert feed(client, rotation_url).content == english_rotation.content


def test_a_language_change_shows_at_once_through_this_instance(
    client: TestClient, session: Session
) -> None:
    ana = make_person(session, name="Ana")
    make_shift(session, rotation=make_rotation(session, name="Tier 2"), index=13, person=ana)
    url = urls(client, session, ana)["feed_url"]
    assert _name(feed(client, url)) == "Support shifts: Ana"
    ana.locale = "nl"
    session.commit()  # a commit through the app's sessions drops the cached holder at once
    assert _name(feed(client, url)) == "Supportdiensten: Ana"
