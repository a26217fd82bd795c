"""Calendar feeds in their holder's language: a Dutch speaker's feeds have Dutch summaries and
descriptions, the same UIDs as in English, their own bytes and ETag (also from the fast
path), and change when the person changes language."""

from __future__ import annotations

from datetime import date

import httpx
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy.orm import Session

from core.clock import FixedClock
from rotation.models import Schedule, ScheduleLayer
from tests.conftest import DEFAULT_NOW
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


def test_a_schedule_feed_follows_its_holders_language(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    ana = make_person(session, name="Ana")
    emea = make_rotation(session, name="EMEA", start_date=date(2026, 11, 23))
    make_shifts(session, rotation=emea, people=[ana, None], indexes=range(0, 2))
    schedule = Schedule(slug="sun", name="Sun", created_at=DEFAULT_NOW, updated_at=DEFAULT_NOW)
    session.add(schedule)
    session.flush()
    session.add(ScheduleLayer(schedule_id=schedule.id, position=0, rotation_id=emea.id))
    session.flush()
    token_url = urls(client, session, ana)["feed_url"]
    path = token_url.removeprefix("http://testserver").removesuffix(".ics") + "/schedules/sun.ics"
    english = client.get(path)
    ana.locale = "nl"
    session.commit()
    dutch = client.get(path)
    assert str(Calendar.from_ical(english.content)["X-WR-CALNAME"]) == "Sun: final on-call"
    assert str(Calendar.from_ical(dutch.content)["X-WR-CALNAME"]) == "Sun: wie er dienst heeft"
    assert set(_events(dutch)) == set(_events(english))
    assert dutch.headers["etag"] != english.headers["etag"]
