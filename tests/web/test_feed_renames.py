"""Renames reach subscribers: the events whose text changes get a higher SEQUENCE and a later
DTSTAMP and LAST-MODIFIED, so calendar clients replace the old text."""

from __future__ import annotations

from datetime import timedelta

import icalendar
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from core.clock import FixedClock
from tests.factories import auth, make_person, make_rotation, make_shifts, make_token
from tests.web.test_feeds import feed, step_past_freshness, urls


def events(body: bytes) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}


def stamps(event: icalendar.Event) -> tuple[int, object, object]:
    return int(event["SEQUENCE"]), event["DTSTAMP"].dt, event["LAST-MODIFIED"].dt


def test_renaming_the_rotation_raises_every_event_of_its_feed(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    ana = make_person(session, name="Ana", is_admin=True)
    rotation = make_rotation(session, name="Tier 2")
    make_shifts(session, rotation=rotation, people=[ana], indexes=range(10, 14))
    url = urls(client, session, ana)["rotation_feed_urls"][rotation.slug]
    before = events(feed(client, url).content)

    clock.advance(timedelta(hours=1))
    response = client.patch(
        f"/api/v1/rotations/{rotation.slug}",
        json={"name": "Tier 2 escalations"},
        headers=auth(make_token(session, ana)),
    )
    assert response.status_code == 200, response.text
    step_past_freshness(clock)
    after = events(feed(client, url).content)

    assert set(after) == set(before)
    for uid, event in after.items():
        assert "Tier 2 escalations" in str(event["SUMMARY"])
        old, new = stamps(before[uid]), stamps(event)
        assert new[0] > old[0]
        assert new[1] > old[1] and new[2] > old[2]  # type: ignore[operator]


def test_renaming_a_person_raises_the_events_that_name_them_and_no_others(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    ana = make_person(session, name="Ana")
    bo = make_person(session, name="Bo")
    rotation = make_rotation(session, name="Tier 2")
    shifts = make_shifts(session, rotation=rotation, people=[ana, bo], indexes=range(10, 14))
    url = urls(client, session, ana)["rotation_feed_urls"][rotation.slug]
    before = events(feed(client, url).content)

    clock.advance(timedelta(hours=1))
    response = client.patch(
        f"/api/v1/people/{bo.id}", json={"name": "Bo Berg"}, headers=auth(make_token(session, bo))
    )
    assert response.status_code == 200, response.text
    step_past_freshness(clock)
    after = events(feed(client, url).content)

    for shift in shifts:
        old, new = stamps(before[shift.uid]), stamps(after[shift.uid])
        if shift.person_id == bo.id:
            assert "Bo Berg" in str(after[shift.uid]["SUMMARY"])
            assert new[0] > old[0]
        else:
            assert new == old
