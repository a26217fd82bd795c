"""Guru's card-updated webhook over HTTP: HMAC signatures, batches, retries, bad bodies."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from core.clock import FixedClock
from core.settings import Settings
from kb_links import webhooks
from tests.conftest import DEFAULT_NOW
from tests.factories import make_card
from tests.probes import table_state

WEBHOOK_SECRET = "guru-webhook-secret-for-tests"
WEBHOOK = "/api/v1/cards/webhooks/guru"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The suite's settings, with a webhook secret."""
    return settings.model_copy(update={"guru_webhook_secret": WEBHOOK_SECRET})


def signed(body: bytes, secret: str = WEBHOOK_SECRET, at: datetime = DEFAULT_NOW) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        **webhooks.signed_headers(secret=secret, body=body, at=at),
    }


def guru_event(
    card_id: str, event_id: str = "e-1", event_type: str = "card-updated"
) -> dict[str, object]:
    return {
        "id": event_id,
        "eventType": event_type,
        "user": "lena.marsh@example.org",
        "eventDate": "2026-11-24T09:59:00.000+0000",
        "properties": {"cardId": card_id, "collectionId": "c-1", "source": "UI"},
    }


def test_signed_card_updated_event_bumps_the_card(client: TestClient, session: Session) -> None:
    card = make_card(session, source="guru", external_id="g-1", version=2)
    body = json.dumps(guru_event("g-1")).encode()
    response = client.post(WEBHOOK, content=body, headers=signed(body))
    assert response.status_code == 200, response.text
    assert response.json() == {
        "received": 1,
        "bumped_card_ids": [card.id],
        "ignored": 0,
        "duplicates": 0,
        "unknown_cards": [],
    }
    session.refresh(card)
    assert card.version == 3
    # Guru retries: the same event delivered again does not bump twice.
    again = client.post(WEBHOOK, content=body, headers=signed(body))
    assert again.json()["duplicates"] == 1
    session.refresh(card)
    assert card.version == 3


def test_batches_prefixed_signatures_unknown_cards_and_other_events(
    client: TestClient, session: Session
) -> None:
    card = make_card(session, source="guru", external_id="g-1")
    body = json.dumps(
        [
            guru_event("g-1", "e-10"),
            guru_event("g-unknown", "e-11"),
            guru_event("g-1", "e-12", event_type="card-viewed"),
        ]
    ).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Allhands-Timestamp": str(int(DEFAULT_NOW.timestamp())),
        "X-Allhands-Signature": webhooks.sign(
            secret=WEBHOOK_SECRET, body=body, timestamp=int(DEFAULT_NOW.timestamp())
        ),
    }
    response = client.post(WEBHOOK, content=body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["bumped_card_ids"] == [card.id]
    assert response.json()["unknown_cards"] == ["g-unknown"]
    assert response.json()["ignored"] == 1
    only_other = json.dumps({"eventType": "alert-read", "properties": {}}).encode()
    ignored = client.post(WEBHOOK, content=only_other, headers=signed(only_other))
    assert ignored.status_code == 200
    assert ignored.json()["ignored"] == 1


@pytest.mark.parametrize("signature", [None, "", "deadbeef", "wrong-secret", "other-body"])
def test_wrong_or_missing_signature_is_401_and_changes_nothing(
    client: TestClient, session: Session, signature: str | None
) -> None:
    make_card(session, source="guru", external_id="g-1")
    body = json.dumps(guru_event("g-1")).encode()
    headers = {"Content-Type": "application/json"}
    if signature == "wrong-secret":
        headers = signed(body, secret="not-the-secret")
    elif signature == "other-body":
        headers = signed(body + b"\n")
    elif signature is not None:
        headers["X-Allhands-Signature"] = signature
    before = table_state(session)
    response = client.post(WEBHOOK, content=body, headers=headers)
    assert response.status_code == 401
    assert response.json()["detail"]
    assert table_state(session) == before


def test_unset_secret_refuses_every_delivery(
    client: TestClient, session: Session, app: FastAPI, settings: Settings
) -> None:
    make_card(session, source="guru", external_id="g-1")
    app.state.settings = settings.model_copy(update={"guru_webhook_secret": ""})
    body = json.dumps(guru_event("g-1")).encode()
    before = table_state(session)
    for secret in ("", WEBHOOK_SECRET):
        assert client.post(WEBHOOK, content=body, headers=signed(body, secret)).status_code == 401
    assert table_state(session) == before


def test_signed_but_malformed_bodies_are_422(client: TestClient, session: Session) -> None:
    before = table_state(session)
    for body in (b"not json", b'["card-updated"]', b"\xff\xfe"):
        response = client.post(WEBHOOK, content=body, headers=signed(body))
        assert response.status_code == 422, body
        assert response.json()["detail"]
    assert table_state(session) == before


def test_a_replayed_event_without_an_id_is_applied_once(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    card = make_card(session, source="guru", external_id="g-1", version=2)
    event = guru_event("g-1")
    del event["id"]
    body = json.dumps(event).encode()
    first = client.post(WEBHOOK, content=body, headers=signed(body))
    assert first.json()["bumped_card_ids"] == [card.id]
    # Three replays, freshly signed within the window: none bumps the version again.
    for minutes in (1, 2, 3):
        clock.set(DEFAULT_NOW + timedelta(minutes=minutes))
        replay = client.post(WEBHOOK, content=body, headers=signed(body, at=clock.now()))
        assert replay.status_code == 200
        assert replay.json()["duplicates"] == 1 and replay.json()["bumped_card_ids"] == []
    session.refresh(card)
    assert card.version == 3
    # The same event inside another batch is still the same event.
    batch = json.dumps([event, guru_event("g-1", "e-new")]).encode()
    mixed = client.post(WEBHOOK, content=batch, headers=signed(batch, at=clock.now()))
    assert mixed.json()["duplicates"] == 1 and mixed.json()["bumped_card_ids"] == [card.id]


@pytest.mark.parametrize("minutes", [-6, 6])
def test_a_delivery_signed_more_than_five_minutes_away_is_401(
    client: TestClient, session: Session, clock: FixedClock, minutes: int
) -> None:
    make_card(session, source="guru", external_id="g-1")
    body = json.dumps(guru_event("g-1")).encode()
    headers = signed(body, at=DEFAULT_NOW + timedelta(minutes=minutes))
    before = table_state(session)
    response = client.post(WEBHOOK, content=body, headers=headers)
    assert response.status_code == 401 and "5 minutes" in response.json()["detail"]
    assert table_state(session) == before


def test_a_signature_without_the_timestamp_is_401(client: TestClient, session: Session) -> None:
    make_card(session, source="guru", external_id="g-1")
    body = json.dumps(guru_event("g-1")).encode()
    # The old form: an HMAC of the body alone, no timestamp header.
    bare = hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/json", "X-Allhands-Signature": bare}
    assert client.post(WEBHOOK, content=body, headers=headers).status_code == 401


def test_many_unknown_cards_are_each_reported_once(client: TestClient, session: Session) -> None:
    # As many as fit the webhook's 1 MiB body limit, each named twice.
    events = [guru_event(f"g-{n % 2_500}", f"e-{n}") for n in range(5_000)]
    body = json.dumps(events).encode()
    response = client.post(WEBHOOK, content=body, headers=signed(body))
    assert response.status_code == 200, response.text[:300]
    assert response.json()["unknown_cards"] == [f"g-{n}" for n in range(2_500)]
