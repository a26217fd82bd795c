"""A cadence change moves events instead of replacing them: retimed shifts keep their UIDs
with a higher SEQUENCE, and only shifts whose person changes become new events."""

from __future__ import annotations

from datetime import datetime, timedelta

import icalendar
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from core.clock import FixedClock
from tests.web.api_helpers import caller, create_rotation, set_members
from tests.web.test_feeds import feed, step_past_freshness, urls


def sequences(body: bytes) -> dict[str, tuple[int, str, datetime]]:
    return {
        str(e["UID"]): (int(e["SEQUENCE"]), str(e.get("STATUS", "")), e.start)
        for e in icalendar.Calendar.from_ical(body).walk("VEVENT")
    }


def test_changing_the_handoff_time_keeps_the_feed_and_raises_every_uid(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    admin = caller(session, is_admin=True)
    team = [caller(session) for _ in range(3)]
    rotation = create_rotation(client, admin, shift_days=1, handoff_time="09:00", horizon_days=365)
    set_members(client, admin, rotation["slug"], team)
    url = urls(client, session, admin.person)["rotation_feed_urls"][rotation["slug"]]
    before = sequences(feed(client, url).content)

    clock.advance(timedelta(hours=1))
    changed_at = clock.now()
    response = client.patch(
        f"/api/v1/rotations/{rotation['slug']}",
        json={"handoff_time": "10:00"},
        headers=admin.headers,
    )
    assert response.status_code == 200, response.text
    step_past_freshness(clock)
    after = sequences(feed(client, url).content)

    assert abs(len(after) - len(before)) <= 0.02 * len(before), (len(before), len(after))
    surviving = set(before) & set(after)
    assert len(surviving) >= 0.98 * len(before)
    # Every shift not yet started when the change was made moved: a higher SEQUENCE each.
    retimed = {uid for uid in surviving if before[uid][2] > changed_at}
    assert len(retimed) >= 0.97 * len(before)
    assert all(after[uid][0] > before[uid][0] for uid in retimed)
    cancelled = [uid for uid, (_seq, status, _start) in after.items() if status == "CANCELLED"]
    assert len(cancelled) <= 0.02 * len(after)
