"""What a subscriber reads in an event: who else is on, who hands over to whom, whom an
override covers for, and a link that opens the page on that shift."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_person, make_rotation, make_shift, make_shifts, reassign
from tests.ics import run_icaljs, utc
from tests.web.rotation_page_helpers import log_in
from tests.web.test_feeds import feed, urls


def descriptions(body: bytes) -> dict[str, str]:
    return {e["uid"]: e["description"] for e in run_icaljs(body)["events"]}


def test_descriptions_name_shift_mates_handovers_and_whom_a_cover_is_for(
    client: TestClient, session: Session
) -> None:
    ana, bo, cy, dee = (make_person(session, name=n) for n in ("Ana", "Bo", "Cy", "Dee"))
    rotation = make_rotation(session, slug="tier-2", people_per_shift=2)
    before = make_shift(session, rotation=rotation, index=11, person=cy)
    mine = make_shift(session, rotation=rotation, index=12, person=ana)
    make_shift(session, rotation=rotation, index=12, slot=1, person=bo)
    after = make_shift(session, rotation=rotation, index=13, person=dee)
    covered = make_shift(session, rotation=rotation, index=14, person=cy)
    reassign(session, shift=covered, person=ana, now=utc("2026-11-20T10:00"), kind="override")
    body = urls(client, session, ana)

    own = descriptions(feed(client, body["feed_url"]).content)
    assert "Also on this shift: Bo" in own[mine.uid]
    assert "You take over from: Cy" in own[mine.uid]
    assert "You hand over to: Dee" in own[mine.uid]
    assert "You are covering for Cy" in own[covered.uid]
    assert "Get ready (required reading): http://testserver/me/checklist" in own[mine.uid]

    everyone = descriptions(feed(client, body["rotation_feed_urls"]["tier-2"]).content)
    assert "Takes over from: Cy" in everyone[mine.uid]
    assert "Hands over to: Dee" in everyone[mine.uid]
    assert "Ana is covering for Cy" in everyone[covered.uid]
    assert "covering" not in everyone[before.uid] + everyone[after.uid]


def test_the_event_link_opens_the_month_of_the_shift_with_its_anchor(
    client: TestClient, session: Session
) -> None:
    ana = make_person(session, name="Ana", password="a long password")
    rotation = make_rotation(session, slug="tier-2")
    # Weekly from 7 Sep 2026: index 20 starts on 25 January 2027, two months past "now".
    shifts = make_shifts(session, rotation=rotation, people=[ana], indexes=range(11, 22))
    far = next(s for s in shifts if s.index == 20)
    events = run_icaljs(feed(client, urls(client, session, ana)["feed_url"]).content)["events"]
    link = next(e["url"] for e in events if e["uid"] == far.uid)

    parts = urlsplit(link)
    assert parts.fragment == f"shift-{far.id}"
    log_in(client, ana)
    page = client.get(f"{parts.path}?{parts.query}")
    assert page.status_code == 200
    assert f'id="shift-{far.id}"' in page.text
    assert "January 2027" in page.text
