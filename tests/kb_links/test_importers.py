"""Imports: CSV parsing (pure), matching, version bumps, all-or-nothing, query counts."""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kb_links import importers, service
from kb_links.models import Card
from kb_links.records import ImportRejected
from tests.conftest import DEFAULT_NOW
from tests.factories import GURU_EXPORT, make_card, make_person
from tests.probes import table_state
from tests.querycount import count_statements

NOW = DEFAULT_NOW
HEADER = "title,url,source,external_id,collection,verify_every_days\n"


def guru_items() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads(GURU_EXPORT.read_text())
    return items


def cards_by_external_id(session: Session) -> dict[str | None, Card]:
    return {c.external_id: c for c in session.scalars(select(Card))}


# --- parsing, pure ------------------------------------------------------------------------


def test_csv_rows_are_validated_line_by_line() -> None:
    text = (
        HEADER
        + "Good,https://a.example/1,notion,n-1,Ops,30\n"
        + "Script,javascript:alert(1),link,,,\n"
        + ",https://a.example/3,link,,,\n"
        + "Bad days,https://a.example/4,link,,,0\n"
        + "Bad source,https://a.example/5,sharepoint,,,\n"
        + "Again,https://a.example/6,notion,n-1,,\n"
        + "Extra,https://a.example/7,link,,,,surplus\n"
    )
    with pytest.raises(ImportRejected) as caught:
        importers.parse_csv(text)
    by_line = {e.line: e.message for e in caught.value.errors}
    assert set(by_line) == {3, 4, 5, 6, 7, 8}
    assert by_line[3].startswith("url:")
    assert by_line[4].startswith("title:")
    assert by_line[5].startswith("verify_every_days:")
    assert 'unknown source "sharepoint"' in by_line[6]
    assert "line 2" in by_line[7]
    assert "more fields" in by_line[8]


def test_csv_header_must_name_title_and_url_and_nothing_unknown() -> None:
    with pytest.raises(ImportRejected) as caught:
        importers.parse_csv("name,link\nx,https://a.example\n")
    assert caught.value.errors[0].line == 1
    assert "title, url" in caught.value.errors[0].message
    with pytest.raises(ImportRejected, match="nothing imported") as caught:
        importers.parse_csv("title,url,owner\nx,https://a.example,me\n")
    assert "unknown column(s): owner" in caught.value.errors[0].message


def test_csv_minimal_header_blank_lines_and_column_order() -> None:
    records = importers.parse_csv("URL,Title\nhttps://a.example/x,X\n\n,\n")
    assert [(r.title, r.url, r.source, r.verify_every_days) for r in records] == [
        ("X", "https://a.example/x", "link", None)
    ]


def test_looks_like_json() -> None:
    assert importers.looks_like_json('  \n[{"id": 1}]')
    assert importers.looks_like_json("{}")
    assert not importers.looks_like_json(HEADER)


# --- applying ----------------------------------------------------------------------------


def test_guru_import_creates_then_reimport_changes_nothing(session: Session) -> None:
    admin = make_person(session, is_admin=True)
    lena = make_person(session, email="lena.marsh@example.org")
    omar = make_person(session, email="omar.quist@example.org")
    text = GURU_EXPORT.read_text()

    result = importers.import_guru_export(session, text=text, now=NOW, actor=admin)
    assert (result.created, result.updated, result.bumped) == (4, 0, 0)
    cards = cards_by_external_id(session)
    triage = cards["7f3e2a10-1111-4c2d-9e8f-000000000101"]
    assert (triage.version, triage.source_version, triage.verifier_id) == (1, 4, lena.id)
    # Owner is the fallback when no verifier is a person here; unknown emails give none.
    assert cards["7f3e2a10-1111-4c2d-9e8f-000000000102"].verifier_id == omar.id
    assert cards["7f3e2a10-1111-4c2d-9e8f-000000000103"].verifier_id is None
    stale = {c.external_id for c in service.list_cards(session, now=NOW, stale=True)}
    assert stale == {
        "7f3e2a10-1111-4c2d-9e8f-000000000102",
        "7f3e2a10-1111-4c2d-9e8f-000000000103",
        "7f3e2a10-1111-4c2d-9e8f-000000000104",
    }

    before = table_state(session)
    again = importers.import_guru_export(session, text=text, now=NOW, actor=admin)
    assert (again.created, again.updated, again.bumped) == (0, 0, 0)
    assert table_state(session) == before


def test_higher_guru_version_bumps_ours_lower_or_equal_does_not(session: Session) -> None:
    admin = make_person(session, is_admin=True)
    importers.import_guru_export(session, text=GURU_EXPORT.read_text(), now=NOW, actor=admin)
    items = guru_items()
    items[0]["version"] = 5  # republished upstream
    items[1]["version"] = 8  # an older export than what we hold
    items[2]["preferredPhrase"] = "Status page wording (short)"  # a retitle, same version
    later = NOW + timedelta(hours=2)

    result = importers.import_guru_export(session, text=json.dumps(items), now=later, actor=admin)
    assert (result.created, result.updated, result.bumped) == (0, 2, 1)
    cards = cards_by_external_id(session)
    bumped = cards["7f3e2a10-1111-4c2d-9e8f-000000000101"]
    assert (bumped.version, bumped.source_version, bumped.changed_at) == (2, 5, later)
    older = cards["7f3e2a10-1111-4c2d-9e8f-000000000102"]
    assert (older.version, older.source_version) == (1, 9)
    retitled = cards["7f3e2a10-1111-4c2d-9e8f-000000000103"]
    assert (retitled.title, retitled.version) == ("Status page wording (short)", 1)
    changes = [r.change for r in service.list_revisions(session, card=bumped)]
    assert changes == ["major", "major"]


def test_guru_import_links_a_card_entered_by_hand_without_bumping(session: Session) -> None:
    admin = make_person(session, is_admin=True)
    card = make_card(
        session, source="guru", external_id="7f3e2a10-1111-4c2d-9e8f-000000000101", version=3
    )
    result = importers.import_guru_export(
        session, text=GURU_EXPORT.read_text(), now=NOW, actor=admin
    )
    assert (result.created, result.updated, result.bumped) == (3, 1, 0)
    assert (card.version, card.source_version) == (3, 4)


def test_bad_item_rejects_the_whole_import(session: Session) -> None:
    admin = make_person(session, is_admin=True)
    make_card(session, source="guru", external_id="7f3e2a10-1111-4c2d-9e8f-000000000101")
    items = guru_items()
    items[3]["lastVerified"] = "last tuesday"
    before = table_state(session)
    with pytest.raises(ImportRejected):
        importers.import_guru_export(session, text=json.dumps(items), now=NOW, actor=admin)
    assert table_state(session) == before


def test_csv_import_matches_on_external_id_or_url_and_is_idempotent(session: Session) -> None:
    admin = make_person(session, is_admin=True)
    text = (
        HEADER
        + "Refunds,https://notion.example/refunds,notion,n-1,Billing,30\n"
        + "Escalation,https://wiki.example/escalate,link,,,\n"
    )
    first = importers.import_csv(session, text=text, now=NOW, actor=admin)
    assert (first.created, first.updated, first.bumped) == (2, 0, 0)
    cards = cards_by_external_id(session)
    assert cards["n-1"].verify_every_days == 30
    assert cards[None].verify_every_days == 90
    assert cards[None].last_verified_at == NOW

    before = table_state(session)
    again = importers.import_csv(session, text=text, now=NOW, actor=admin)
    assert (again.created, again.updated, again.bumped) == (0, 0, 0)
    assert table_state(session) == before

    edited = (
        HEADER
        + "Refunds and credits,https://notion.example/refunds-2,notion,n-1,Billing,\n"
        + "Escalation,https://wiki.example/escalate,link,,Support,\n"
    )
    third = importers.import_csv(session, text=edited, now=NOW, actor=admin)
    assert (third.created, third.updated, third.bumped) == (0, 2, 0)
    refunds = cards_by_external_id(session)["n-1"]
    # CSV carries no version: edits are minor, a blank interval keeps the card's own.
    assert (refunds.title, refunds.version, refunds.verify_every_days) == (
        "Refunds and credits",
        1,
        30,
    )


def _guru_export_of(size: int, prefix: str) -> str:
    template = guru_items()[0]
    items = []
    for n in range(size):
        item = copy.deepcopy(template)
        item["id"] = f"{prefix}-{n}"
        item["slug"] = f"{prefix}{n}/Card-{n}"
        item["preferredPhrase"] = f"Card {n}"
        item["owner"]["email"] = f"owner{n % 7}@example.org"
        item["verifiers"] = []
        items.append(item)
    return json.dumps(items)


def test_import_reads_with_a_fixed_number_of_queries(session: Session) -> None:
    admin = make_person(session, is_admin=True)
    for n in range(7):
        make_person(session, email=f"owner{n}@example.org")
    counts = []
    for size in (5, 60):
        text = _guru_export_of(size, prefix=f"size{size}")
        importers.import_guru_export(session, text=text, now=NOW, actor=admin)
        bumped = json.loads(text)
        for item in bumped:
            item["version"] += 1
        with count_statements(session) as log:
            result = importers.import_guru_export(
                session, text=json.dumps(bumped), now=NOW, actor=admin
            )
        assert result.bumped == size
        counts.append(len(log.selects))
    assert counts[0] == counts[1]
    assert counts[0] <= 3
