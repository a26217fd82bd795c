"""The Guru card export format, parsed without a database."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from kb_links import guru
from kb_links.records import ImportRejected
from tests.conftest import DEFAULT_NOW
from tests.factories import GURU_EXPORT

NOW = DEFAULT_NOW


def guru_items() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads(GURU_EXPORT.read_text())
    return items


def test_guru_export_maps_fields_and_ignores_the_rest() -> None:
    records = guru.parse_export(GURU_EXPORT.read_text(), now=NOW)
    assert len(records) == 4
    first = records[0]
    assert first.title == "Triage of billing tickets"
    assert first.url == "https://app.getguru.com/card/Tb81kQzP/Triage-of-billing-tickets"
    assert (first.source, first.external_id) == ("guru", "7f3e2a10-1111-4c2d-9e8f-000000000101")
    assert first.collection == "Billing Runbooks"
    assert first.verify_every_days == 60
    assert first.last_verified_at == datetime(2026, 11, 1, 8, 30, 0, 250000, tzinfo=UTC)
    assert first.source_version == 4
    assert first.verifier_emails == ("lena.marsh@example.org",)


def test_guru_verification_state_wins_over_a_fresh_looking_date() -> None:
    records = {r.external_id: r for r in guru.parse_export(GURU_EXPORT.read_text(), now=NOW)}
    expired = records["7f3e2a10-1111-4c2d-9e8f-000000000102"]
    flagged = records["7f3e2a10-1111-4c2d-9e8f-000000000103"]
    never = records["7f3e2a10-1111-4c2d-9e8f-000000000104"]
    # Expired by its own dates: the date is kept and already makes it stale.
    assert expired.last_verified_at == datetime(2026, 8, 20, 16, 0, tzinfo=UTC)
    # NEEDS_VERIFICATION with no reason and a recent date: stored as not verified.
    assert flagged.last_verified_at is None
    assert never.last_verified_at is None


def test_guru_item_errors_name_the_item_index() -> None:
    items = guru_items()
    del items[1]["preferredPhrase"]
    items[2]["verificationInterval"] = -5
    items[3] = "not a card"  # type: ignore[call-overload]
    with pytest.raises(ImportRejected) as caught:
        guru.parse_export(json.dumps(items), now=NOW)
    errors = caught.value.errors
    assert [(e.line, e.item) for e in errors] == [(2, 2), (3, 3), (4, 4)]
    assert errors[0].message.startswith("item 2: preferredPhrase")
    assert "verificationInterval" in errors[1].message
    assert "expected a card object" in errors[2].message


def test_guru_export_must_be_json_and_a_list() -> None:
    with pytest.raises(ImportRejected) as caught:
        guru.parse_export('[\n  {"id": "x",\n  oops}\n]', now=NOW)
    assert caught.value.errors[0].line == 3
    assert "not valid JSON" in caught.value.errors[0].message
    with pytest.raises(ImportRejected, match="nothing imported") as caught:
        guru.parse_export('{"id": "x"}', now=NOW)
    assert "JSON list" in caught.value.errors[0].message


def test_guru_duplicate_card_ids_are_refused() -> None:
    items = guru_items()
    items.append(copy.deepcopy(items[0]))
    with pytest.raises(ImportRejected) as caught:
        guru.parse_export(json.dumps(items), now=NOW)
    assert [(e.line, e.item) for e in caught.value.errors] == [(5, 5)]
    assert "item 1" in caught.value.errors[0].message


def test_card_url_is_built_from_the_slug_or_the_id() -> None:
    card = guru.GuruCard.model_validate(guru_items()[0])
    assert guru.card_url(card) == "https://app.getguru.com/card/Tb81kQzP/Triage-of-billing-tickets"
    no_slug = guru.GuruCard.model_validate({**guru_items()[0], "slug": None})
    assert guru.card_url(no_slug) == (
        "https://app.getguru.com/card/7f3e2a10-1111-4c2d-9e8f-000000000101"
    )


def test_a_slug_with_spaces_or_unicode_is_quoted_into_a_valid_url() -> None:
    card = guru.GuruCard.model_validate({**guru_items()[0], "slug": "Ab1/Café au lait"})
    assert guru.card_url(card) == "https://app.getguru.com/card/Ab1/Caf%C3%A9%20au%20lait"
