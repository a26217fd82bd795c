"""Bulk import of cards from CSV or a Guru card export: all-or-nothing, idempotent.

Parsing is pure (text in, records or line errors out); applying matches each record to an
existing card on (source, external id) so that importing the same file twice changes nothing.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import audit
from core.errors import Conflict
from core.models import Person
from kb_links import guru, service
from kb_links.fields import DEFAULT_VERIFY_EVERY_DAYS
from kb_links.models import Card, CardRevision
from kb_links.records import CardRecord, ImportRejected, LineError, check_duplicates, describe
from kb_links.schemas import CardCreate

CSV_COLUMNS = ("title", "url", "source", "external_id", "collection", "verify_every_days")
CSV_REQUIRED = ("title", "url")
# Rows per statement: inside every backend's limit on bound parameters.
BATCH = 500

__all__ = ["ImportRejected", "ImportResult", "import_csv", "import_guru_export", "parse_csv"]


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    bumped: int


def parse_csv(text: str) -> list[CardRecord]:
    """Records from CSV with the columns of ``CSV_COLUMNS`` (title and url required)."""
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise ImportRejected([LineError(1, f"unreadable header: {exc}")]) from None
    missing = [c for c in CSV_REQUIRED if c not in header]
    if missing:
        raise ImportRejected([LineError(1, f"header lacks column(s): {', '.join(missing)}")])
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if unknown:
        raise ImportRejected(
            [LineError(1, f"unknown column(s): {', '.join(unknown)}; use {','.join(CSV_COLUMNS)}")]
        )
    reader.fieldnames = header

    records: list[CardRecord] = []
    errors: list[LineError] = []
    try:
        for row in reader:
            line = reader.line_num
            if None in row:
                errors.append(LineError(line, "more fields than the header has"))
                continue
            values = {k: (v or "").strip() for k, v in row.items()}
            if not any(values.values()):
                continue
            fields: dict[str, Any] = {k: v for k, v in values.items() if v}
            fields.setdefault("title", "")
            fields.setdefault("url", "")
            try:
                data = CardCreate(**fields)
            except ValidationError as exc:
                errors.append(LineError(line, describe(exc)))
                continue
            records.append(
                CardRecord(
                    line=line,
                    title=data.title,
                    url=data.url,
                    source=data.source,
                    external_id=data.external_id,
                    collection=data.collection,
                    verify_every_days=(
                        data.verify_every_days if "verify_every_days" in fields else None
                    ),
                )
            )
    except csv.Error as exc:
        errors.append(LineError(reader.line_num, f"malformed CSV: {exc}"))
    check_duplicates(records, errors, json=False)
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: e.line))
    return records


def looks_like_json(text: str) -> bool:
    """True when an upload without a usable Content-Type is a JSON document."""
    return text.lstrip()[:1] in ("[", "{")


def _existing_cards(
    session: Session, records: list[CardRecord]
) -> dict[tuple[str, str, str], Card]:
    by_id = sorted({(r.source, r.external_id) for r in records if r.external_id is not None})
    by_url = sorted({(r.source, r.url) for r in records if r.external_id is None})
    found: dict[tuple[str, str, str], Card] = {}
    wanted_ids = set(by_id)
    for offset in range(0, len(by_id), BATCH):
        chunk = by_id[offset : offset + BATCH]
        query = select(Card).where(
            Card.source.in_({s for s, _ in chunk}),
            Card.external_id.in_({e for _, e in chunk}),
        )
        # Locked so that a concurrent import or webhook cannot bump the same card in between.
        query = query.order_by(Card.id).with_for_update()
        for card in session.scalars(query.execution_options(populate_existing=True)):
            if (card.source, card.external_id) in wanted_ids and card.external_id is not None:
                found[(card.source, "id", card.external_id)] = card
    for offset in range(0, len(by_url), BATCH):
        chunk = by_url[offset : offset + BATCH]
        query = select(Card).where(
            Card.external_id.is_(None),
            Card.source.in_({s for s, _ in chunk}),
            Card.url.in_({u for _, u in chunk}),
        )
        query = query.with_for_update().execution_options(populate_existing=True)
        for card in session.scalars(query.order_by(Card.id)):
            found.setdefault((card.source, "url", card.url), card)
    return found


def _verifier_ids(session: Session, records: list[CardRecord]) -> dict[str, int]:
    emails = {email for r in records for email in r.verifier_emails}
    if not emails:
        return {}
    query = select(Person.email, Person.id).where(
        func.lower(Person.email).in_(emails), Person.active.is_(True)
    )
    return {email.lower(): person_id for email, person_id in session.execute(query)}


def _verifier_for(record: CardRecord, people: dict[str, int]) -> int | None:
    for email in record.verifier_emails:
        if email in people:
            return people[email]
    return None


def apply_records(
    session: Session,
    *,
    records: list[CardRecord],
    now: datetime,
    actor: Person | None,
    note: str,
) -> ImportResult:
    """Create or update a card per record; a higher source version bumps ours (major change)."""
    existing = _existing_cards(session, records)
    people = _verifier_ids(session, records)
    new_cards: list[dict[str, Any]] = []
    updated = bumped = 0
    for record in records:
        verifier_id = _verifier_for(record, people)
        card = existing.get(record.key)
        if card is None:
            new_cards.append(_new_card(record, verifier_id=verifier_id, now=now))
            continue
        wanted: dict[str, Any] = {
            "title": record.title,
            "url": record.url,
            "collection": record.collection,
        }
        if record.verify_every_days is not None:
            wanted["verify_every_days"] = record.verify_every_days
        if verifier_id is not None:
            wanted["verifier_id"] = verifier_id
        if record.carries_verification:
            wanted["last_verified_at"] = record.last_verified_at
        changes = {k: v for k, v in wanted.items() if getattr(card, k) != v}
        new_source_version: int | None = None
        bump = False
        if record.source_version is not None and (
            card.source_version is None or record.source_version > card.source_version
        ):
            new_source_version = record.source_version
            # With no earlier source version there is nothing to compare: link, don't bump.
            bump = card.source_version is not None
        if not changes and new_source_version is None:
            continue
        summary = (
            f"{card.source} version {card.source_version} → {record.source_version}"
            if bump
            else "updated by import"
        )
        service.revise_card(
            session,
            card=card,
            changes=changes,
            change="major" if bump else "minor",
            now=now,
            actor=actor,
            summary=f"{note}: {summary}",
            source_version=new_source_version,
        )
        updated += 1
        bumped += int(bump)
    _insert_cards(session, rows=new_cards, now=now, actor=actor, note=note)
    return ImportResult(created=len(new_cards), updated=updated, bumped=bumped)


def _new_card(record: CardRecord, *, verifier_id: int | None, now: datetime) -> dict[str, Any]:
    return {
        "title": record.title,
        "url": record.url,
        "source": record.source,
        "external_id": record.external_id,
        "collection": record.collection,
        "verifier_id": verifier_id,
        "verify_every_days": record.verify_every_days or DEFAULT_VERIFY_EVERY_DAYS,
        "last_verified_at": record.last_verified_at if record.carries_verification else now,
        "version": 1,
        "source_version": record.source_version,
        "archived": False,
        "created_at": now,
        "updated_at": now,
        "changed_at": now,
    }


def _insert_cards(
    session: Session,
    *,
    rows: list[dict[str, Any]],
    now: datetime,
    actor: Person | None,
    note: str,
) -> None:
    """Insert new cards, their first revisions and audit events with multi-row statements.

    Records were matched against existing cards first; a card another writer added in the
    meantime trips the unique index, which the savepoint turns into a Conflict.
    """
    actor_id = actor.id if actor is not None else None
    try:
        with session.begin_nested():
            # Matched back by key, not by order: asking for RETURNING rows in parameter
            # order makes SQLite insert one row per statement.
            statement = insert(Card).returning(Card.id, Card.source, Card.external_id, Card.url)
            by_key: dict[tuple[str, str | None, str], int] = {}
            for offset in range(0, len(rows), BATCH):
                for card_id, source, external_id, url in session.execute(
                    statement, rows[offset : offset + BATCH]
                ):
                    by_key[_row_key(source, external_id, url)] = card_id
            ids = [by_key[_row_key(r["source"], r["external_id"], r["url"])] for r in rows]
    except IntegrityError:
        raise Conflict("another writer added some of these cards meanwhile; import again") from None
    revisions = [
        {"card_id": card_id, "version": 1, "change": "major", "summary": "created",
         "actor_id": actor_id, "at": now}
        for card_id in ids
    ]  # fmt: skip
    for offset in range(0, len(revisions), BATCH):
        session.execute(insert(CardRevision), revisions[offset : offset + BATCH])
    audit.record_many(
        session,
        events=[
            {"actor_id": actor_id, "action": "card.create", "subject_type": "card",
             "subject_id": str(card_id), "before": None, "after": _picture(row), "at": now,
             "note": note}
            for card_id, row in zip(ids, rows, strict=True)
        ],
    )  # fmt: skip


def _row_key(source: str, external_id: str | None, url: str) -> tuple[str, str | None, str]:
    # A file names each (source, external id), or each (source, url) without one, once.
    return (source, external_id, "" if external_id is not None else url)


def _picture(row: dict[str, Any]) -> dict[str, Any]:
    """What ``audit.snapshot`` records of a card, from its inserted row."""
    return {
        name: value.isoformat() if isinstance(value, datetime) else value
        for name, value in ((name, row.get(name)) for name in service.AUDITED_FIELDS)
    }


def import_csv(session: Session, *, text: str, now: datetime, actor: Person | None) -> ImportResult:
    """Import cards from CSV; any bad row rejects the whole file."""
    return apply_records(session, records=parse_csv(text), now=now, actor=actor, note="csv import")


def import_guru_export(
    session: Session, *, text: str, now: datetime, actor: Person | None
) -> ImportResult:
    """Import a Guru card export (JSON list); any bad item rejects the whole file."""
    records = guru.parse_export(text, now=now)
    return apply_records(session, records=records, now=now, actor=actor, note="guru import")
