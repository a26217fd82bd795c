"""Managers create rotations from the rotations page and become their managers."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from rotation import access
from rotation.models import Rotation
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
