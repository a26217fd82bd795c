"""Why me and covers owed, where people look: the home page and the calendar feed."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy.orm import Session

from rotation import time_off
from tests.conftest import DEFAULT_NOW
from tests.factories import make_scheduled_rotation
from tests.probes import live_shifts
from tests.web.rotation_page_helpers import log_in, person
from tests.web.test_feeds import feed, urls


def _descriptions(body: bytes) -> dict[str, str]:
    return {
        str(event["UID"]): str(event.get("DESCRIPTION", ""))
        for event in Calendar.from_ical(body).walk("VEVENT")
    }


def test_home_says_why_each_shift_is_yours_and_who_covered_for_you(
    client: TestClient, session: Session
) -> None:
    ana, ben, cy = (person(session, name=name) for name in ("Ana", "Ben", "Cy"))
    rotation = make_scheduled_rotation(
        session, members=[ana, ben, cy], horizon_days=56, fairness="burden"
    )
    bens = [s for s in live_shifts(session, rotation) if s.person_id == ben.id]
    day = bens[0].start.date()
    time_off.add_time_off(
        session, person=ben, start=day, end=day + timedelta(days=6), reason="",
        now=DEFAULT_NOW, actor=None,
    )  # fmt: skip
    covered = next(s for s in live_shifts(session, rotation) if s.id == bens[0].id)
    cover_name = ana.name if covered.person_id == ana.id else cy.name
    log_in(client, ben)
    page = " ".join(html.unescape(re.sub(r"<[^>]+>", "", client.get("/").text)).split())
    # Three people weekly: each next turn is a tie on burden, settled by who waited longest.
    assert "Why you: Tied at 192.0 burden among 3 eligible; longest since a shift here" in page
    assert f"{cover_name} covered for you on {covered.start:%a %d %b}" in page
    assert "you are first in line for the next shift to be planned." in page
    # A Dutch speaker reads the same reason in Dutch, with a Dutch decimal comma.
    ben.locale = "nl"
    session.flush()
    page = " ".join(html.unescape(re.sub(r"<[^>]+>", "", client.get("/").text)).split())
    assert (
        "Waarom jij: Gelijk op 192,0 belasting met 3 kandidaten; het langst geen dienst hier gehad"
    ) in page


def test_feed_events_say_why_the_person_was_chosen(client: TestClient, session: Session) -> None:
    ana, ben = (person(session, name=name) for name in ("Ana", "Ben"))
    rotation = make_scheduled_rotation(session, members=[ana, ben], horizon_days=28)
    shifts = live_shifts(session, rotation)
    later = next(s for s in shifts if s.person_id == ben.id and s.start > DEFAULT_NOW)
    body = urls(client, session, ben)
    own = _descriptions(feed(client, body["feed_url"]).content)
    assert "Why you: " in own[later.uid]
    everyone = _descriptions(feed(client, body["rotation_feed_urls"][rotation.slug]).content)
    assert "Why Ben: " in everyone[later.uid]
