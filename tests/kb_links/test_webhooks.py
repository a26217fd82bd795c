"""Guru webhook: HMAC signatures (pure) and version bumps from card-updated events."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from core.errors import Invalid
from kb_links import service, webhooks
from kb_links.webhooks import GuruEvent
from tests.conftest import DEFAULT_NOW
from tests.factories import make_card
from tests.probes import table_state

SECRET = "whsec-test-0123456789"
BODY = b'{"eventType":"card-updated","properties":{"cardId":"g-1"}}'


TS = int(DEFAULT_NOW.timestamp())


def _check(body: bytes, signature: str | None, *, timestamp: object = TS, secret: str = SECRET,
           now: datetime = DEFAULT_NOW) -> bool:  # fmt: skip
    try:
        webhooks.check_signature(
            secret=secret,
            body=body,
            signature=signature,
            timestamp=None if timestamp is None else str(timestamp),
            now=now,
        )
    except webhooks.SignatureRefused:
        return False
    return True


def test_signature_is_the_hex_hmac_sha256_of_timestamp_dot_body() -> None:
    expected = hmac.new(SECRET.encode(), f"{TS}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert webhooks.sign(secret=SECRET, body=BODY, timestamp=TS) == expected
    assert _check(BODY, expected)
    assert _check(BODY, "sha256=" + expected)
    assert _check(BODY, expected.upper())
    headers = webhooks.signed_headers(secret=SECRET, body=BODY, at=DEFAULT_NOW)
    assert headers == {
        "X-Allhands-Signature": "sha256=" + expected,
        "X-Allhands-Timestamp": str(TS),
    }


def test_wrong_missing_or_unconfigured_signatures_fail() -> None:
    good = webhooks.sign(secret=SECRET, body=BODY, timestamp=TS)
    assert not _check(BODY + b" ", good)
    assert not _check(BODY, good, secret="other")
    assert not _check(BODY, None)
    assert not _check(BODY, "")
    assert not _check(BODY, good[:-1])
    assert not _check(BODY, "sha256=é" + good)
    # The timestamp is signed too: another one (or none, or junk) does not fit.
    assert not _check(BODY, good, timestamp=TS + 1)
    assert not _check(BODY, good, timestamp=None)
    assert not _check(BODY, good, timestamp="-1")
    assert not _check(BODY, good, timestamp="1" * 40)
    # Without a configured secret even a signature made with the empty key is refused.
    empty = webhooks.sign(secret="", body=BODY, timestamp=TS)
    assert not _check(BODY, empty, secret="")


def test_a_delivery_is_accepted_only_within_five_minutes_of_its_timestamp() -> None:
    good = webhooks.sign(secret=SECRET, body=BODY, timestamp=TS)
    assert _check(BODY, good, now=DEFAULT_NOW + timedelta(minutes=5))
    assert _check(BODY, good, now=DEFAULT_NOW - timedelta(minutes=5))
    assert not _check(BODY, good, now=DEFAULT_NOW + timedelta(minutes=5, seconds=1))
    assert not _check(BODY, good, now=DEFAULT_NOW - timedelta(minutes=5, seconds=1))


@given(body=st.binary(max_size=200), other=st.binary(max_size=200))
def test_a_signature_fits_only_its_own_body(body: bytes, other: bytes) -> None:
    signature = webhooks.sign(secret=SECRET, body=body, timestamp=TS)
    assert _check(body, signature)
    assert _check(other, signature) == (other == body)


def test_parse_accepts_one_event_a_list_or_an_envelope() -> None:
    event = {
        "id": "e-1",
        "eventType": "card-updated",
        "user": "someone@example.org",
        "eventDate": "2026-11-24T09:00:00.000+0000",
        "properties": {"cardId": "g-1", "collectionId": "c-1", "source": "UI"},
    }
    expected = [GuruEvent(event_id="e-1", event_type="card-updated", card_id="g-1")]
    assert webhooks.parse_events(event) == expected
    assert webhooks.parse_events([event]) == expected
    assert webhooks.parse_events({"events": [event]}) == expected
    assert webhooks.parse_events({"eventType": "alert-read"}) == [
        GuruEvent(event_id=None, event_type="alert-read", card_id=None)
    ]
    with pytest.raises(Invalid, match="event 2"):
        webhooks.parse_events([event, "card-updated"])


def test_card_updated_bumps_known_cards_and_reports_unknown_ones(session: Session) -> None:
    card = make_card(session, source="guru", external_id="g-1", version=2)
    other_source = make_card(session, source="notion", external_id="g-2")
    events = [
        GuruEvent(event_id="e-1", event_type="card-updated", card_id="g-1"),
        GuruEvent(event_id="e-2", event_type="card-updated", card_id="g-2"),
        GuruEvent(event_id="e-3", event_type="card-viewed", card_id="g-1"),
        GuruEvent(event_id="e-4", event_type="card-updated", card_id=None),
    ]
    result = webhooks.apply_guru_events(session, events=events, now=DEFAULT_NOW)
    assert result.received == 4
    assert result.bumped_card_ids == [card.id]
    assert result.unknown_cards == ["g-2"]
    assert result.ignored == 2
    assert (card.version, card.changed_at) == (3, DEFAULT_NOW)
    assert other_source.version == 1
    revision = service.list_revisions(session, card=card)[-1]
    assert (revision.change, revision.summary) == ("major", "Guru card-updated event e-1")


def test_a_redelivered_event_bumps_only_once(session: Session) -> None:
    card = make_card(session, source="guru", external_id="g-1")
    event = GuruEvent(event_id="e-1", event_type="card-updated", card_id="g-1")
    webhooks.apply_guru_events(session, events=[event, event], now=DEFAULT_NOW)
    assert card.version == 2
    before = table_state(session)
    again = webhooks.apply_guru_events(session, events=[event], now=DEFAULT_NOW)
    assert (again.bumped_card_ids, again.duplicates) == ([], 1)
    assert table_state(session) == before
    fresh = GuruEvent(event_id="e-2", event_type="card-updated", card_id="g-1")
    webhooks.apply_guru_events(session, events=[fresh], now=DEFAULT_NOW)
    assert card.version == 3
