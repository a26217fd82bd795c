"""Schedule imports over the API and the admin page: preview (a dry run) → apply."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.clock import FixedClock
from core.models import Person
from rotation.models import Rotation, ScheduleImport, Shift
from tests.web.api_helpers import caller
from tests.web.test_admin_pages import login_as
from tests.web.test_auth_pages import csrf_from

FIXTURES = Path(__file__).parent.parent / "fixtures" / "imports"
NOW = datetime(2027, 3, 1, 5, 0, tzinfo=UTC)


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_preview_then_apply_pagerduty_json(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    clock.set(NOW)
    admin = caller(session, is_admin=True)
    text = (FIXTURES / "pagerduty_schedule.json").read_text()
    preview = client.post(
        "/api/v1/imports/schedule",
        json={"source": "pagerduty", "content": text, "filename": "support.json"},
        headers=admin.headers,
    )
    assert preview.status_code == 201, preview.text
    body = preview.json()
    assert body["status"] == "preview"
    assert body["report"]["status"] == "dry-run"
    assert body["report"]["fidelity"]["percent"] == 100.0
    assert body["report"]["fidelity"]["disagreements"] == []
    assert [r["slug"] for r in body["report"]["rotations"]] == [
        "business-hours",
        "evenings-and-nights",
        "weekends",
    ]
    assert count(session, Rotation) == 0  # a preview writes nothing but itself

    again = client.get(f"/api/v1/imports/schedule/{body['id']}", headers=admin.headers)
    assert again.status_code == 200
    assert again.json()["report"] == body["report"]

    applied = client.post(f"/api/v1/imports/schedule/{body['id']}/apply", headers=admin.headers)
    assert applied.status_code == 200, applied.text
    assert applied.json()["status"] == "applied"
    assert applied.json()["report"]["status"] == "created"
    assert count(session, Rotation) == 3
    shifts = count(session, Shift)

    twice = client.post(f"/api/v1/imports/schedule/{body['id']}/apply", headers=admin.headers)
    assert twice.status_code == 409
    assert count(session, Shift) == shifts


def test_multipart_upload_of_a_spreadsheet(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    clock.set(NOW)
    admin = caller(session, is_admin=True)
    response = client.post(
        "/api/v1/imports/schedule",
        data={"source": "csv"},
        files={"file": ("rota.csv", (FIXTURES / "spreadsheet.csv").read_bytes(), "text/csv")},
        headers=admin.headers,
    )
    assert response.status_code == 201, response.text
    report = response.json()["report"]
    assert response.json()["filename"] == "rota.csv"
    assert report["fidelity"]["disagreements"] == []
    assert len(report["people_created"]) == 12


def test_a_bad_file_is_a_422_naming_the_json_path_and_stores_nothing(
    client: TestClient, session: Session
) -> None:
    admin = caller(session, is_admin=True)
    before = (count(session, ScheduleImport), count(session, Person))
    response = client.post(
        "/api/v1/imports/schedule",
        json={"source": "pagerduty", "content": {"schedule": {"id": "P1"}}},
        headers=admin.headers,
    )
    assert response.status_code == 422
    assert "$.schedule.time_zone: is missing" in response.text
    assert (count(session, ScheduleImport), count(session, Person)) == before


def test_an_unknown_source_kind_is_a_422(client: TestClient, session: Session) -> None:
    admin = caller(session, is_admin=True)
    response = client.post(
        "/api/v1/imports/schedule",
        json={"source": "xmatters", "content": "{}"},
        headers=admin.headers,
    )
    assert response.status_code == 422
    assert "source must be one of" in response.text


def test_members_cannot_import(client: TestClient, session: Session) -> None:
    member = caller(session)
    response = client.post(
        "/api/v1/imports/schedule",
        json={"source": "csv", "content": "start,end,email\n"},
        headers=member.headers,
    )
    assert response.status_code == 403


def test_the_page_uploads_previews_and_confirms(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    clock.set(NOW)
    login_as(client, session, admin=True)
    page = client.get("/imports/schedule")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text
    token = csrf_from(page.text)
    uploaded = client.post(
        "/imports/schedule",
        data={"csrf_token": token, "source": "pagerduty"},
        files={"file": ("support.json", (FIXTURES / "pagerduty_schedule.json").read_bytes())},
        follow_redirects=False,
    )
    assert uploaded.status_code == 303, uploaded.text
    preview = client.get(uploaded.headers["location"])
    assert "120900 of 120900 minutes agree (100.0%)" in preview.text
    assert "Nothing has been imported yet." in preview.text
    assert count(session, Rotation) == 0
    confirmed = client.post(
        f"{uploaded.headers['location']}/apply",
        data={"csrf_token": csrf_from(preview.text)},
        follow_redirects=False,
    )
    assert confirmed.status_code == 303
    assert count(session, Rotation) == 3
    assert "Applied" in client.get(uploaded.headers["location"]).text


def test_the_page_shows_a_bad_file_with_the_line_and_keeps_nothing(
    client: TestClient, session: Session
) -> None:
    login_as(client, session, admin=True)
    token = csrf_from(client.get("/imports/schedule").text)
    refused = client.post(
        "/imports/schedule",
        data={"csrf_token": token, "source": "csv", "content": "start,end\n"},
    )
    assert refused.status_code == 422
    assert "Line 1: the header must be" in refused.text
    assert "<nav" in refused.text
    assert count(session, ScheduleImport) == 0
