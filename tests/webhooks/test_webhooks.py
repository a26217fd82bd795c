"""Outbound webhooks: the admin API, Standard Webhooks signatures checked with the
``standardwebhooks`` verifier on a local receiver, retries with backoff, the delivery log
and disabling an endpoint that keeps failing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from standardwebhooks.webhooks import Webhook

from core.models import AuditEvent
from flows.webhooks import run_webhooks
from kb_links.models import CardRevision
from onboarding.webhooks.models import WebhookDelivery, WebhookEndpoint
from rotation.models import SwapRequest
from tests.factories import (
    make_card,
    make_card_set,
    make_person,
    make_requirement,
    make_rotation,
    make_shift,
)
from tests.probes import fingerprint
from tests.web.api_helpers import caller
from tests.webhooks.receiver import Receiver, receiver


@pytest.fixture
def now() -> datetime:
    """The receiver's verifier judges signatures by the real clock, so these runs use it too
    (read when the test starts: a slow run must not make the signatures look old)."""
    return datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def hook() -> Iterator[Receiver]:
    with receiver() as server:
        yield server


def endpoint(session: Session, url: str, *events: str, at: datetime) -> WebhookEndpoint:
    row = WebhookEndpoint(
        url=url,
        description="",
        events=list(events),
        secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        enabled=True,
        consecutive_failures=0,
        created_at=at,
    )
    session.add(row)
    session.flush()
    return row


def test_the_admin_api_registers_lists_and_removes_endpoints(
    client: TestClient, session: Session
) -> None:
    admin = caller(session, is_admin=True)
    created = client.post(
        "/api/v1/webhooks",
        json={"url": "https://hooks.example.com/a", "events": ["shift.started", "card.changed"]},
        headers=admin.headers,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["secret"].startswith("whsec_") and body["enabled"] is True
    assert body["events"] == ["card.changed", "shift.started"]
    listed = client.get("/api/v1/webhooks", headers=admin.headers).json()
    assert [w["id"] for w in listed] == [body["id"]] and "secret" not in listed[0]
    log = client.get(f"/api/v1/webhooks/{body['id']}/deliveries", headers=admin.headers)
    assert log.status_code == 200 and log.json() == []
    before = fingerprint(session)
    for bad in (
        {"url": "ftp://x.example.com", "events": ["shift.started"]},
        {"url": "https://x.example.com", "events": ["shift.exploded"]},
        {"url": "https://x.example.com", "events": []},
    ):
        refused = client.post("/api/v1/webhooks", json=bad, headers=admin.headers)
        assert refused.status_code == 422, bad
    assert fingerprint(session) == before
    gone = client.delete(f"/api/v1/webhooks/{body['id']}", headers=admin.headers)
    assert gone.status_code == 204
    assert client.get("/api/v1/webhooks", headers=admin.headers).json() == []
    again = client.delete(f"/api/v1/webhooks/{body['id']}", headers=admin.headers)
    assert again.status_code == 404


def test_deliveries_are_signed_per_standard_webhooks_and_sent_once(
    session: Session, session_factory: sessionmaker[Session], hook: Receiver, now: datetime
) -> None:
    ana = make_person(session, name="Ana")
    rotation = make_rotation(session, timezone="UTC")
    hooked = endpoint(
        session, hook.url, "shift.started", "card.changed", at=now - timedelta(hours=2)
    )
    shift = make_shift(
        session, rotation=rotation, person=ana, start=now - timedelta(hours=1), days=7
    )
    card = make_card(session, title="Refunds")
    session.add(
        CardRevision(card_id=card.id, version=2, change="major", at=now - timedelta(minutes=5))
    )
    session.commit()

    first = run_webhooks(session_factory, now=now)
    second = run_webhooks(session_factory, now=now + timedelta(minutes=1))

    assert (first.queued, first.delivered, second.queued, second.delivered) == (2, 2, 0, 0)
    verifier = Webhook(hooked.secret)
    payloads = [verifier.verify(r.body, r.headers) for r in hook.received]
    by_type = {p["type"]: p for p in payloads}
    assert set(by_type) == {"shift.started", "card.changed"}
    assert by_type["shift.started"]["data"]["shift_id"] == shift.id
    assert by_type["card.changed"]["data"] == {
        "card_id": card.id,
        "version": 2,
        "change": "major",
        "title": "Refunds",
        "url": card.url,
    }
    tampered = hook.received[0]
    with pytest.raises(Exception, match="signature"):
        verifier.verify(tampered.body.replace("}", " }", 1), tampered.headers)
    log = session.scalars(select(WebhookDelivery)).all()
    assert [(d.succeeded, d.status_code) for d in log] == [(True, 204), (True, 204)]


def test_a_failed_delivery_is_retried_with_backoff_under_the_same_id(
    session: Session, session_factory: sessionmaker[Session], hook: Receiver, now: datetime
) -> None:
    endpoint(session, hook.url, "card.changed", at=now - timedelta(hours=2))
    card = make_card(session)
    session.add(CardRevision(card_id=card.id, version=2, change="major", at=now))
    session.commit()
    hook.answers = [503]

    failed = run_webhooks(session_factory, now=now)
    too_soon = run_webhooks(session_factory, now=now + timedelta(seconds=30))
    retried = run_webhooks(session_factory, now=now + timedelta(minutes=2))

    assert [e for _, e in failed.failed] == ["HTTP 503"]
    assert too_soon.delivered == 0 and retried.delivered == 1
    ids = [r.headers["webhook-id"] for r in hook.received]
    assert len(ids) == 2 and ids[0] == ids[1]
    log = session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
    assert [(d.succeeded, d.status_code) for d in log] == [(False, 503), (True, 204)]


def test_an_endpoint_that_keeps_failing_is_disabled_with_an_audit_event(
    session: Session, session_factory: sessionmaker[Session], hook: Receiver, now: datetime
) -> None:
    hooked = endpoint(session, hook.url, "card.changed", at=now - timedelta(hours=2))
    card = make_card(session)
    session.add(CardRevision(card_id=card.id, version=2, change="major", at=now))
    session.commit()
    hook.answers = [500] * 10

    for run in range(6):
        run_webhooks(session_factory, now=now + timedelta(hours=run * 7))

    session.refresh(hooked)
    assert hooked.enabled is False and hooked.consecutive_failures == 5
    assert len(hook.received) == 5
    [event] = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "webhook.disable")
    ).all()
    assert event.subject_id == str(hooked.id)
    assert json.dumps(event.after) == '{"consecutive_failures": 5}'


def test_swaps_shift_changes_and_reading_at_risk_are_events_too(
    session: Session, session_factory: sessionmaker[Session], hook: Receiver, now: datetime
) -> None:
    ana, bo = make_person(session, name="Ana"), make_person(session, name="Bo")
    rotation = make_rotation(session, timezone="UTC")
    hooked = endpoint(
        session,
        hook.url,
        "swap.requested",
        "swap.accepted",
        "shift.changed",
        "readiness.at_risk",
        at=now - timedelta(hours=2),
    )
    upcoming = make_shift(
        session, rotation=rotation, person=ana, start=now + timedelta(days=1), days=7
    )
    upcoming.sequence, upcoming.updated_at, upcoming.kind = (
        1,
        now - timedelta(minutes=3),
        "override",
    )
    requirement_cards = [make_card(session)]
    make_requirement(
        session,
        rotation=rotation,
        card_set=make_card_set(session, cards=requirement_cards),
        due_days_before=2,
    )
    swap = SwapRequest(
        shift_id=upcoming.id,
        requester_id=ana.id,
        counterpart_person_id=bo.id,
        shift_sequence=1,
        status="accepted",
        accepted_at=now - timedelta(minutes=1),
        created_at=now - timedelta(minutes=10),
        updated_at=now - timedelta(minutes=1),
    )
    session.add(swap)
    session.commit()

    report = run_webhooks(session_factory, now=now)

    verifier = Webhook(hooked.secret)
    events = {
        p["type"]: p["data"] for p in (verifier.verify(r.body, r.headers) for r in hook.received)
    }
    assert report.delivered == 4
    assert events["swap.requested"]["swap_id"] == swap.id
    assert events["swap.accepted"]["status"] == "accepted"
    assert (events["shift.changed"]["shift_id"], events["shift.changed"]["sequence"]) == (
        upcoming.id,
        1,
    )
    assert (events["readiness.at_risk"]["required"], events["readiness.at_risk"]["done"]) == (1, 0)
