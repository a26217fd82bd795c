"""Bulk import of cards from CSV or a Guru card export: all-or-nothing, idempotent.

Parsing is pure (text in, records or line errors out); applying matches each record to an
existing card on (source, external id) so that importing the same file twice changes nothing.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.errors import Invalid
from core.models import Person
from kb_links import freshness, service
from kb_links.models import Card
from kb_links.schemas import DEFAULT_VERIFY_EVERY_DAYS, CardCreate, check_url

CSV_COLUMNS = ("title", "url", "source", "external_id", "collection", "verify_every_days")
CSV_REQUIRED = ("title", "url")
GURU_CARD_URL = "https://app.getguru.com/card/"
GURU_TRUSTED = "TRUSTED"


@dataclass(frozen=True)
class LineError:
    """One bad row (CSV: its line in the file) or item (JSON: its 1-based index in the list)."""

    line: int
    message: str
    item: int | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"line": self.line, "message": self.message}
        if self.item is not None:
            out["item"] = self.item
        return out


class ImportRejected(Invalid):
    """An import with bad rows or items; ``errors`` names each one and nothing was written."""

    def __init__(self, errors: Sequence[LineError]) -> None:
        super().__init__(
            f"{len(errors)} bad row(s) or item(s); nothing imported",
            errors=[error.as_dict() for error in errors],
        )
        self.errors = list(errors)


@dataclass(frozen=True)
class CardRecord:
    """One validated card from an import file, not yet matched to the database."""

    line: int
    title: str
    url: str
    source: str
    external_id: str | None
    collection: str | None
    # None: keep the card's interval (new cards get the default).
    verify_every_days: int | None
    # Guru exports carry verification state; CSV files do not, and leave it alone.
    carries_verification: bool = False
    last_verified_at: datetime | None = None
    verifier_emails: tuple[str, ...] = ()
    source_version: int | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        """What identifies the card: its external id, or its URL when it has none."""
        if self.external_id is not None:
            return (self.source, "id", self.external_id)
        return (self.source, "url", self.url)


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    bumped: int
    card_ids: list[int] = field(default_factory=list)


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "value"
        parts.append(f"{where}: {str(item['msg']).removeprefix('Value error, ')}")
    return "; ".join(parts)


def _check_duplicates(records: list[CardRecord], errors: list[LineError], *, json: bool) -> None:
    seen: dict[tuple[str, str, str], int] = {}
    for record in records:
        earlier = seen.setdefault(record.key, record.line)
        if earlier == record.line:
            continue
        what = "external id" if record.external_id is not None else "URL"
        where = f"item {earlier}" if json else f"line {earlier}"
        message = f"the same {record.source} {what} as {where}"
        if json:
            errors.append(LineError(record.line, f"item {record.line}: {message}", record.line))
        else:
            errors.append(LineError(record.line, message))


# --- CSV ------------------------------------------------------------------------------------


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
                errors.append(LineError(line, _describe(exc)))
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
    _check_duplicates(records, errors, json=False)
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: e.line))
    return records


# --- Guru -----------------------------------------------------------------------------------


class _GuruModel(BaseModel):
    # Real exports carry many more fields (content, boards, tags …); ignore what we don't use.
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, populate_by_name=True)


class _GuruNamed(_GuruModel):
    name: str | None = Field(default=None, max_length=200)


class _GuruUser(_GuruModel):
    email: str | None = None


class _GuruVerifier(_GuruModel):
    type: str | None = None
    user: _GuruUser | None = None


class GuruCard(_GuruModel):
    """The fields of a Guru card (as ``GET /cards/{id}`` or search returns it) that we keep."""

    id: str = Field(min_length=1, max_length=200)
    slug: str | None = Field(default=None, max_length=1000)
    title: str = Field(alias="preferredPhrase", min_length=1, max_length=300)
    collection: _GuruNamed | None = None
    owner: _GuruUser | None = None
    verifiers: list[_GuruVerifier] = Field(default_factory=list)
    verification_state: str | None = Field(default=None, alias="verificationState")
    verification_interval: int | None = Field(
        default=None, alias="verificationInterval", ge=1, le=3650
    )
    last_verified: AwareDatetime | None = Field(default=None, alias="lastVerified")
    version: int | None = Field(default=None, ge=1)


def guru_card_url(card: GuruCard) -> str:
    """The card's page in Guru's web app, ``https://app.getguru.com/card/<slug>``."""
    path = card.slug or card.id
    return check_url(GURU_CARD_URL + quote(path, safe="/-_.~"))


def _guru_last_verified(card: GuruCard, *, now: datetime) -> datetime | None:
    """When the card counts as last verified here, so that Guru's own verdict is kept.

    Guru can mark a card NEEDS_VERIFICATION before its interval runs out (a flag, a verifier
    who left); its interval-based date would then look trusted here, so such a card is
    stored as not verified, which our freshness rule treats as stale.
    """
    interval = card.verification_interval or DEFAULT_VERIFY_EVERY_DAYS
    state = (card.verification_state or GURU_TRUSTED).upper()
    if state != GURU_TRUSTED and not freshness.is_stale(
        last_verified_at=card.last_verified, verify_every_days=interval, now=now
    ):
        return None
    return card.last_verified.astimezone(UTC) if card.last_verified else None


def _guru_record(index: int, card: GuruCard, *, now: datetime) -> CardRecord:
    emails = [v.user.email for v in card.verifiers if v.user is not None and v.user.email]
    if card.owner is not None and card.owner.email:
        emails.append(card.owner.email)
    return CardRecord(
        line=index,
        title=card.title,
        url=guru_card_url(card),
        source="guru",
        external_id=card.id,
        collection=card.collection.name if card.collection else None,
        verify_every_days=card.verification_interval,
        carries_verification=True,
        last_verified_at=_guru_last_verified(card, now=now),
        verifier_emails=tuple(dict.fromkeys(e.strip().lower() for e in emails)),
        source_version=card.version,
    )


def parse_guru_export(text: str, *, now: datetime) -> list[CardRecord]:
    """Records from a Guru card export: the JSON list of cards Guru's API returns.

    Errors name the 1-based index of the bad item in the list as ``line`` (and ``item``).
    """
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRejected(
            [
                LineError(
                    exc.lineno, f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
                )
            ]
        ) from None
    if not isinstance(payload, list):
        raise ImportRejected(
            [LineError(1, "a Guru card export must be a JSON list of card objects")]
        )
    records: list[CardRecord] = []
    errors: list[LineError] = []
    for index, item in enumerate(payload, start=1):
        if not isinstance(item, dict):
            errors.append(LineError(index, f"item {index}: expected a card object", index))
            continue
        try:
            record = _guru_record(index, GuruCard.model_validate(item), now=now)
        except ValidationError as exc:
            errors.append(LineError(index, f"item {index}: {_describe(exc)}", index))
            continue
        except ValueError as exc:
            errors.append(LineError(index, f"item {index}: slug: {exc}", index))
            continue
        records.append(record)
    _check_duplicates(records, errors, json=True)
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: e.line))
    return records


def looks_like_json(text: str) -> bool:
    """True when an upload without a usable Content-Type is a JSON document."""
    return text.lstrip()[:1] in ("[", "{")


# --- applying -------------------------------------------------------------------------------


def _existing_cards(
    session: Session, records: list[CardRecord]
) -> dict[tuple[str, str, str], Card]:
    by_id = {(r.source, r.external_id) for r in records if r.external_id is not None}
    by_url = {(r.source, r.url) for r in records if r.external_id is None}
    found: dict[tuple[str, str, str], Card] = {}
    if by_id:
        query = select(Card).where(
            Card.source.in_({s for s, _ in by_id}),
            Card.external_id.in_({e for _, e in by_id}),
        )
        # Locked so that a concurrent import or webhook cannot bump the same card in between.
        query = query.order_by(Card.id).with_for_update()
        for card in session.scalars(query.execution_options(populate_existing=True)):
            if (card.source, card.external_id) in by_id and card.external_id is not None:
                found[(card.source, "id", card.external_id)] = card
    if by_url:
        query = select(Card).where(
            Card.external_id.is_(None),
            Card.source.in_({s for s, _ in by_url}),
            Card.url.in_({u for _, u in by_url}),
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
    created = updated = bumped = 0
    card_ids: list[int] = []
    for record in records:
        verifier_id = _verifier_for(record, people)
        card = existing.get(record.key)
        if card is None:
            fields: dict[str, Any] = {
                "title": record.title,
                "url": record.url,
                "source": record.source,
                "external_id": record.external_id,
                "collection": record.collection,
                "verifier_id": verifier_id,
                "verify_every_days": record.verify_every_days or DEFAULT_VERIFY_EVERY_DAYS,
                "last_verified_at": record.last_verified_at if record.carries_verification else now,
            }
            card = service.insert_card(
                session,
                fields=fields,
                now=now,
                actor=actor,
                source_version=record.source_version,
                note=note,
            )
            created += 1
            card_ids.append(card.id)
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
        card_ids.append(card.id)
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
    return ImportResult(created=created, updated=updated, bumped=bumped, card_ids=card_ids)


def import_csv(session: Session, *, text: str, now: datetime, actor: Person | None) -> ImportResult:
    """Import cards from CSV; any bad row rejects the whole file."""
    return apply_records(session, records=parse_csv(text), now=now, actor=actor, note="csv import")


def import_guru_export(
    session: Session, *, text: str, now: datetime, actor: Person | None
) -> ImportResult:
    """Import a Guru card export (JSON list); any bad item rejects the whole file."""
    records = parse_guru_export(text, now=now)
    return apply_records(session, records=records, now=now, actor=actor, note="guru import")
