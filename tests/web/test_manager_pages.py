"""What managers do from their pages: create rotations (and manage them), pick a timezone,
see swaps awaiting their approval on the home page."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from rotation import access, swaps
from rotation.models import Rotation
from tests.conftest import DEFAULT_NOW
from tests.probes import live_shifts
from tests.web.authz_expectations import rotation_form
from tests.web.rotation_page_helpers import log_in, managed, post


def test_a_manager_creates_a_rotation_and_manages_it(client: TestClient, session: Session) -> None:
    _tier_two, grace, (ana,) = managed(session, "Ana")
    log_in(client, grace)
    page = client.get("/rotations").text
    assert "Create rotation" in page and "You will manage the rotations you create" in page
    form = {**rotation_form(None), "managers": ana.email}  # type: ignore[arg-type]
    response = post(client, "/rotations", form)
    assert response.status_code == 303
    session.expire_all()
    created = session.scalars(select(Rotation).where(Rotation.name == "Night desk")).one()
    assert access.is_manager(session, person=grace, rotation=created)
    assert access.is_manager(session, person=ana, rotation=created)
    assert client.get(f"/rotations/{created.slug}/manage").status_code == 200


def test_a_member_who_manages_nothing_cannot_create_one(
    client: TestClient, session: Session
) -> None:
    _tier_two, _grace, (ana,) = managed(session, "Ana")
    log_in(client, ana)
    assert "Create rotation" not in client.get("/rotations").text
    response = post(client, "/rotations", rotation_form(None))  # type: ignore[arg-type]
    assert response.status_code == 403 and 'aria-label="Main"' in response.text
    assert session.scalars(select(Rotation).where(Rotation.name == "Night desk")).first() is None


def test_the_timezone_field_offers_iana_names_with_their_offset_now(
    client: TestClient, session: Session
) -> None:
    _tier_two, grace, _people = managed(session, "Ana")
    log_in(client, grace)
    page = client.get("/rotations").text
    assert 'list="new-timezones"' in page and '<datalist id="new-timezones">' in page
    # The clock says November: Amsterdam is an hour ahead of UTC, New York five behind.
    assert '<option value="Europe/Amsterdam" label="UTC+01:00">' in page
    assert '<option value="America/New_York" label="UTC-05:00">' in page
    assert '<option value="Asia/Kolkata" label="UTC+05:30">' in page
    assert 'value="US/Eastern"' not in page  # an old alias, offered under its current name
    manage = client.get("/rotations/tier-two/manage").text
    assert 'list="set-timezones"' in manage and '<datalist id="set-timezones">' in manage


def test_a_managers_home_lists_swaps_awaiting_their_approval(
    client: TestClient, session: Session
) -> None:
    rotation, grace, (ana, sam) = managed(session, "Ana", "Sam", swap_requires_approval=True)
    mine = next(
        s for s in live_shifts(session, rotation) if s.person_id == ana.id and s.start > DEFAULT_NOW
    )
    swap = swaps.request_swap(
        session, requester=ana, shift_id=mine.id, counterpart_shift_id=None,
        counterpart_person_id=sam.id, now=DEFAULT_NOW,
    )  # fmt: skip
    swaps.accept(session, swap=swap, person=sam, now=DEFAULT_NOW)
    session.flush()
    log_in(client, grace)
    home = client.get("/").text
    assert "Swaps waiting for your approval" in home
    assert "Sam</strong> agreed to cover <strong>Ana</strong>" in home
    approved = post(
        client,
        f"/rotations/tier-two/swaps/{swap.id}/approve",
        {"back": "/rotations/tier-two#swaps"},
    )
    assert approved.status_code == 303
    assert "Swaps waiting for your approval" not in client.get("/").text
    log_in(client, sam)  # not a manager: nothing to approve
    assert "Swaps waiting for your approval" not in client.get("/").text
