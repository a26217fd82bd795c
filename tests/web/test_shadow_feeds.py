"""Shadow shifts in calendar feeds and on the rotation page: marked with whom they shadow."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Person
from tests.factories import make_person, make_rotation, make_shift
from tests.ics import run_icaljs
from tests.web.rotation_page_helpers import log_in, person
from tests.web.test_feeds import feed, urls


def _shadowed(session: Session) -> tuple[str, str, str]:
    """Sam is on shift 12 with Nia shadowing; the uids of both and the rotation's slug."""
    sam, nia = make_person(session, name="Sam Okafor"), make_person(session, name="Nia Ade")
    rotation = make_rotation(session, name="Tier two", slug="tier-2")
    primary = make_shift(session, rotation=rotation, index=12, person=sam)
    shadow = make_shift(session, rotation=rotation, index=12, slot=100, person=nia)
    shadow.role = "shadow"
    session.flush()
    return primary.uid, shadow.uid, rotation.slug


def test_the_shadows_event_says_whom_they_shadow(client: TestClient, session: Session) -> None:
    primary_uid, shadow_uid, slug = _shadowed(session)
    nia = make_person(session)  # anyone's token reads the rotation feed
    body = urls(client, session, nia)
    events = {
        e["uid"]: e
        for e in run_icaljs(feed(client, body["rotation_feed_urls"][slug]).content)["events"]
    }
    assert events[shadow_uid]["summary"] == "Tier two: Nia Ade (Shadowing Sam Okafor)"
    assert events[shadow_uid]["description"].startswith("Shadowing Sam Okafor:")
    assert events[primary_uid]["summary"] == "Tier two: Sam Okafor"
    assert "Shadowing" not in events[primary_uid]["description"]


def test_the_shadows_own_feed_marks_the_shift(client: TestClient, session: Session) -> None:
    _primary_uid, shadow_uid, _slug = _shadowed(session)
    nia = session.scalars(select(Person).where(Person.name == "Nia Ade")).one()
    body = urls(client, session, nia)
    events = {e["uid"]: e for e in run_icaljs(feed(client, body["feed_url"]).content)["events"]}
    assert events[shadow_uid]["summary"] == "Tier two: Shadowing Sam Okafor"


def test_the_rotation_page_marks_the_shadow(client: TestClient, session: Session) -> None:
    _shadowed(session)
    log_in(client, person(session))
    page = client.get("/rotations/tier-2", params={"month": "2026-11"})
    assert page.status_code == 200
    assert "(Shadowing Sam Okafor)" in page.text
