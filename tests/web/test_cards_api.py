"""Knowledge-card endpoints over HTTP: roles, every kind of bad input, imports."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import FixedClock
from core.models import AuditEvent
from tests.conftest import DEFAULT_NOW
from tests.factories import GURU_EXPORT, auth, make_card, make_manager, make_person, make_token
from tests.probes import table_state

CSV_HEADERS = {"Content-Type": "text/csv"}
JSON_HEADERS = {"Content-Type": "application/json"}


def admin_headers(session: Session) -> dict[str, str]:
    return auth(make_token(session, make_person(session, is_admin=True)))


def member_headers(session: Session) -> dict[str, str]:
    return auth(make_token(session, make_person(session)))


def manager_headers(session: Session) -> dict[str, str]:
    return auth(make_token(session, make_manager(session)))


# --- create, read ---------------------------------------------------------------------------


def test_admin_creates_a_card_and_everyone_reads_it(client: TestClient, session: Session) -> None:
    verifier = make_person(session)
    response = client.post(
        "/api/v1/cards",
        json={
            "title": "Refunds and credits",
            "url": "https://kb.example.com/refunds",
            "source": "confluence",
            "external_id": "CONF-12",
            "collection": "Billing",
            "verifier_id": verifier.id,
            "verify_every_days": 30,
        },
        headers=admin_headers(session),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert {k: body[k] for k in body if k not in ("id",)} == {
        "title": "Refunds and credits",
        "url": "https://kb.example.com/refunds",
        "source": "confluence",
        "external_id": "CONF-12",
        "collection": "Billing",
        "verifier_id": verifier.id,
        "version": 1,
        "verify_every_days": 30,
        "last_verified_at": "2026-11-24T10:00:00Z",
        "verification": "trusted",
        "verification_due_at": "2026-12-24T10:00:00Z",
        "archived": False,
        "source_version": None,
        "changed_at": "2026-11-24T10:00:00Z",
        "created_at": "2026-11-24T10:00:00Z",
        "updated_at": "2026-11-24T10:00:00Z",
    }
    member = member_headers(session)
    one = client.get(f"/api/v1/cards/{body['id']}", headers=member)
    assert one.status_code == 200
    assert one.json() == body
    assert [c["id"] for c in client.get("/api/v1/cards", headers=member).json()] == [body["id"]]
    assert "card.create" in session.scalars(select(AuditEvent.action)).all()


def test_defaults_of_a_minimal_card(client: TestClient, session: Session) -> None:
    response = client.post(
        "/api/v1/cards",
        json={"title": "Escalation", "url": "https://wiki.example/escalate"},
        headers=manager_headers(session),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["source"], body["verify_every_days"], body["external_id"]) == ("link", 90, None)


def test_members_cannot_change_cards_and_strangers_cannot_read(
    client: TestClient, session: Session
) -> None:
    card = make_card(session)
    member = member_headers(session)
    before = table_state(session)
    new = {"title": "x", "url": "https://a.example"}
    assert client.post("/api/v1/cards", json=new, headers=member).status_code == 403
    assert client.patch(f"/api/v1/cards/{card.id}", json={}, headers=member).status_code == 403
    assert client.post(f"/api/v1/cards/{card.id}/verify", headers=member).status_code == 403
    assert client.delete(f"/api/v1/cards/{card.id}", headers=member).status_code == 403
    csv_body = "title,url\nx,https://a.example\n"
    imported = client.post(
        "/api/v1/cards/import", content=csv_body, headers={**member, **CSV_HEADERS}
    )
    assert imported.status_code == 403
    managers_import = client.post(
        "/api/v1/cards/import",
        content=csv_body,
        headers={**manager_headers(session), **CSV_HEADERS},
    )
    assert managers_import.status_code == 403
    assert client.get("/api/v1/cards").status_code == 401
    assert client.post("/api/v1/cards", json=new).status_code == 401
    assert table_state(session) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "x", "url": "javascript:alert(1)"}, "url"),
        ({"title": "x", "url": "data:text/html,<script>alert(1)</script>"}, "url"),
        ({"title": "x", "url": "ftp://files.example/a.pdf"}, "url"),
        ({"title": "x", "url": "https://a.example", "verify_every_days": 0}, "verify_every_days"),
        ({"title": "x", "url": "https://a.example", "verify_every_days": -3}, "verify_every_days"),
        ({"title": "x", "url": "https://a.example", "source": "sharepoint"}, "source"),
        ({"title": "x", "url": "https://a.example", "owner": "me"}, "owner"),
        ({"title": "", "url": "https://a.example"}, "title"),
        ({"url": "https://a.example"}, "title"),
    ],
)
def test_bad_card_input_is_422_and_adds_nothing(
    client: TestClient, session: Session, body: dict[str, object], field: str
) -> None:
    headers = admin_headers(session)
    before = table_state(session)
    response = client.post("/api/v1/cards", json=body, headers=headers)
    assert response.status_code == 422, response.text
    assert field in json.dumps(response.json()["detail"])
    assert table_state(session) == before


def test_unknown_verifier_is_422_and_duplicate_external_id_409(
    client: TestClient, session: Session
) -> None:
    headers = admin_headers(session)
    make_card(session, source="guru", external_id="g-1")
    before = table_state(session)
    unknown = client.post(
        "/api/v1/cards",
        json={"title": "x", "url": "https://a.example", "verifier_id": 999999},
        headers=headers,
    )
    assert unknown.status_code == 422
    assert "verifier_id" in unknown.json()["detail"]
    duplicate = client.post(
        "/api/v1/cards",
        json={"title": "x", "url": "https://a.example", "source": "guru", "external_id": "g-1"},
        headers=headers,
    )
    assert duplicate.status_code == 409
    assert table_state(session) == before


def test_stale_filter_and_unknown_card(client: TestClient, session: Session) -> None:
    headers = member_headers(session)
    fresh = make_card(session, last_verified_at=DEFAULT_NOW - timedelta(days=10))
    old = make_card(session, last_verified_at=DEFAULT_NOW - timedelta(days=91))
    never = make_card(session, last_verified_at=None)
    make_card(session, last_verified_at=None, archived=True)

    def ids(query: str) -> set[int]:
        response = client.get(f"/api/v1/cards{query}", headers=headers)
        assert response.status_code == 200, response.text
        return {c["id"] for c in response.json()}

    assert ids("?stale=true") == {old.id, never.id}
    assert ids("?stale=false") == {fresh.id}
    assert ids("") == {fresh.id, old.id, never.id}
    assert len(ids("?stale=true&include_archived=true")) == 3
    listed = client.get("/api/v1/cards?stale=true", headers=headers).json()
    assert {c["verification"] for c in listed} == {"stale"}
    assert client.get("/api/v1/cards?stale=maybe", headers=headers).status_code == 422
    missing = client.get(f"/api/v1/cards/{never.id + 1000}", headers=headers)
    assert missing.status_code == 404
    assert missing.json()["detail"]


# --- edit, verify, archive ------------------------------------------------------------------


def test_patch_major_bumps_and_minor_keeps_the_version(
    client: TestClient, session: Session
) -> None:
    headers = manager_headers(session)
    card = make_card(session, title="Refunds")
    minor = client.patch(
        f"/api/v1/cards/{card.id}",
        json={"title": "Refunds policy", "change": "minor", "summary": "typo"},
        headers=headers,
    )
    assert minor.status_code == 200, minor.text
    assert (minor.json()["title"], minor.json()["version"]) == ("Refunds policy", 1)
    major = client.patch(
        f"/api/v1/cards/{card.id}", json={"url": "https://kb.example.com/v2"}, headers=headers
    )
    assert major.status_code == 200, major.text
    assert (major.json()["url"], major.json()["version"]) == ("https://kb.example.com/v2", 2)
    revisions = client.get(f"/api/v1/cards/{card.id}/revisions", headers=headers).json()
    assert [(r["version"], r["change"], r["summary"]) for r in revisions] == [
        (1, "minor", "typo"),
        (2, "major", ""),
    ]


@pytest.mark.parametrize(
    "body",
    [
        {"change": "cosmetic"},
        {"url": "javascript:alert(1)"},
        {"verify_every_days": 0},
        {"title": None},
        {"verifier_id": 999999},
        {"color": "blue"},
    ],
)
def test_bad_patch_is_422_and_changes_nothing(
    client: TestClient, session: Session, body: dict[str, object]
) -> None:
    headers = admin_headers(session)
    card = make_card(session)
    before = table_state(session)
    response = client.patch(f"/api/v1/cards/{card.id}", json=body, headers=headers)
    assert response.status_code == 422, response.text
    assert response.json()["detail"]
    assert table_state(session) == before


def test_patch_with_an_outdated_version_is_409(client: TestClient, session: Session) -> None:
    headers = admin_headers(session)
    card = make_card(session, version=4)
    before = table_state(session)
    response = client.patch(
        f"/api/v1/cards/{card.id}", json={"title": "x", "version": 3}, headers=headers
    )
    assert response.status_code == 409
    assert table_state(session) == before
    assert client.patch("/api/v1/cards/999999", json={}, headers=headers).status_code == 404


def test_verify_by_verifier_or_manager_refreshes_a_stale_card(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    verifier = make_person(session)
    card = make_card(session, verifier=verifier, last_verified_at=DEFAULT_NOW - timedelta(days=95))
    headers = auth(make_token(session, verifier))
    assert client.get(f"/api/v1/cards/{card.id}", headers=headers).json()["verification"] == (
        "stale"
    )
    response = client.post(f"/api/v1/cards/{card.id}/verify", headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["verification"] == "trusted"
    assert response.json()["last_verified_at"] == "2026-11-24T10:00:00Z"
    assert response.json()["version"] == 1

    clock.advance(timedelta(days=90))
    assert client.get(f"/api/v1/cards/{card.id}", headers=headers).json()["verification"] == (
        "stale"
    )
    by_manager = client.post(f"/api/v1/cards/{card.id}/verify", headers=manager_headers(session))
    assert by_manager.status_code == 200
    assert by_manager.json()["verification"] == "trusted"


def test_archive_and_restore(client: TestClient, session: Session) -> None:
    headers = admin_headers(session)
    card = make_card(session)
    archived = client.delete(f"/api/v1/cards/{card.id}", headers=headers)
    assert archived.status_code == 200
    assert archived.json()["archived"] is True
    assert client.get("/api/v1/cards", headers=headers).json() == []
    assert client.get(f"/api/v1/cards/{card.id}", headers=headers).json()["archived"] is True
    restored = client.post(f"/api/v1/cards/{card.id}/restore", headers=headers)
    assert restored.json()["archived"] is False


# --- import ---------------------------------------------------------------------------------


def test_csv_import_then_reimport(client: TestClient, session: Session) -> None:
    headers = {**admin_headers(session), **CSV_HEADERS}
    text = (
        "title,url,source,external_id,collection,verify_every_days\n"
        "Refunds,https://notion.example/refunds,notion,n-1,Billing,30\n"
        '"Escalation, tier 2",https://wiki.example/escalate,link,,,\n'
    )
    first = client.post("/api/v1/cards/import", content=text, headers=headers)
    assert first.status_code == 200, first.text
    assert first.json() == {"created": 2, "updated": 0, "bumped": 0}
    titles = {c["title"] for c in client.get("/api/v1/cards", headers=headers).json()}
    assert titles == {"Refunds", "Escalation, tier 2"}
    again = client.post("/api/v1/cards/import", content=text, headers=headers)
    assert again.json() == {"created": 0, "updated": 0, "bumped": 0}


def test_csv_import_with_bad_rows_names_them_and_imports_nothing(
    client: TestClient, session: Session
) -> None:
    headers = {**admin_headers(session), **CSV_HEADERS}
    before = table_state(session)
    text = (
        "title,url,source,external_id,collection,verify_every_days\n"
        "Fine,https://a.example/1,link,,,\n"
        "Evil,javascript:alert(1),link,,,\n"
        "Fine too,https://a.example/3,link,,,\n"
        "Zero,https://a.example/4,link,,,0\n"
    )
    response = client.post("/api/v1/cards/import", content=text, headers=headers)
    assert response.status_code == 422
    body = response.json()
    assert "nothing imported" in body["detail"]
    assert [e["line"] for e in body["errors"]] == [3, 5]
    assert table_state(session) == before
    binary = client.post("/api/v1/cards/import", content=b"\xff\xfe\x00", headers=headers)
    assert binary.status_code == 400
    assert table_state(session) == before


def test_guru_export_import_by_content_type_or_sniffed(
    client: TestClient, session: Session
) -> None:
    admin = admin_headers(session)
    make_person(session, email="lena.marsh@example.org")
    text = GURU_EXPORT.read_text()
    first = client.post("/api/v1/cards/import", content=text, headers={**admin, **JSON_HEADERS})
    assert first.status_code == 200, first.text
    assert first.json() == {"created": 4, "updated": 0, "bumped": 0}
    # No Content-Type: a body starting with "[" is read as a Guru export.
    again = client.post("/api/v1/cards/import", content=text.encode(), headers=admin)
    assert again.json() == {"created": 0, "updated": 0, "bumped": 0}

    items = json.loads(text)
    items[0]["version"] += 1
    bumped = client.post(
        "/api/v1/cards/import", content=json.dumps(items), headers={**admin, **JSON_HEADERS}
    )
    assert bumped.json() == {"created": 0, "updated": 1, "bumped": 1}
    cards = {c["external_id"]: c for c in client.get("/api/v1/cards", headers=admin).json()}
    triage = cards[items[0]["id"]]
    assert (triage["version"], triage["source_version"]) == (2, items[0]["version"])
    assert triage["url"] == "https://app.getguru.com/card/Tb81kQzP/Triage-of-billing-tickets"
    assert cards[items[3]["id"]]["verification"] == "stale"


def test_malformed_guru_export_is_422_with_item_numbers(
    client: TestClient, session: Session
) -> None:
    headers = {**admin_headers(session), **JSON_HEADERS}
    before = table_state(session)
    items = json.loads(GURU_EXPORT.read_text())
    items[1]["preferredPhrase"] = ""
    items[2]["lastVerified"] = "yesterday"
    response = client.post("/api/v1/cards/import", content=json.dumps(items), headers=headers)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [(e["line"], e["item"]) for e in errors] == [(2, 2), (3, 3)]
    assert errors[0]["message"].startswith("item 2:")
    not_json = client.post("/api/v1/cards/import", content="[{,}]", headers=headers)
    assert not_json.status_code == 422
    assert not_json.json()["errors"][0]["line"] == 1
    not_a_list = client.post("/api/v1/cards/import", content='{"id": "x"}', headers=headers)
    assert not_a_list.status_code == 422
    assert table_state(session) == before
