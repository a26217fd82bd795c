"""The write of a planned card import: a few multi-row statements, all or nothing.

New cards go in with one multi-row INSERT per thousand rows (their ids come back with
``RETURNING``), then their first revisions and audit events with plain ``executemany``; no
ORM unit of work, no per-row flush. Cards the plan revises are locked and read again first,
and their changes worked out afresh, so an edit made between planning and writing is never
overwritten with what the plan saw.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import audit
from core.db import UTCDateTime
from core.errors import Conflict
from core.models import Person
from kb_links import service
from kb_links.import_plan import BATCH, CARD, CARD_COLUMNS, ImportPlan, PlannedRevision, revision_of
from kb_links.models import Card, CardRevision

__all__ = ["ImportResult", "apply_plan"]

REVISION = cast(Table, CardRevision.__table__)
# Set on every revised card, so that one UPDATE statement serves all of them.
REVISED_COLUMNS = (
    "title",
    "url",
    "collection",
    "verifier_id",
    "verify_every_days",
    "last_verified_at",
    "version",
    "source_version",
    "changed_at",
    "updated_at",
)


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    bumped: int


@dataclass
class _Writes:
    """The rows an import writes besides new cards: card updates, revisions, audit events."""

    note: str
    now: datetime
    actor_id: int | None
    cards: list[dict[str, Any]] = field(default_factory=list)
    revisions: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    bumped: int = 0


def apply_plan(
    session: Session, *, plan: ImportPlan, now: datetime, actor: Person | None
) -> ImportResult:
    """Write what ``plan`` found: revise the cards it matched, insert the new ones."""
    session.flush()
    actor_id = actor.id if actor is not None else None
    writes = _Writes(note=plan.note, now=now, actor_id=actor_id)
    _revisions(session, plan, writes)
    if writes.cards:
        statement = update(CARD).where(CARD.c.id == bindparam("card_id"))
        session.execute(statement, writes.cards)
        _forget_loaded(session, {row["card_id"] for row in writes.cards})
    ids = _insert_cards(session, rows=plan.new_cards)
    writes.revisions += [_first_revision(card_id, actor_id=actor_id, now=now) for card_id in ids]
    writes.events += [
        {"actor_id": actor_id, "action": "card.create", "subject_type": "card",
         "subject_id": str(card_id), "before": None, "after": _picture(row), "at": now,
         "note": plan.note}
        for card_id, row in zip(ids, plan.new_cards, strict=True)
    ]  # fmt: skip
    if writes.revisions:
        session.execute(insert(REVISION), writes.revisions)
    audit.record_many(session, events=writes.events)
    return ImportResult(created=len(ids), updated=len(writes.cards), bumped=writes.bumped)


def _revisions(session: Session, plan: ImportPlan, writes: _Writes) -> None:
    current = _locked_cards(session, [planned.card_id for planned in plan.revisions])
    for planned in plan.revisions:
        card = current.get(planned.card_id)
        if card is None:
            raise Conflict("a card this import changes was removed meanwhile; import again")
        _revise(writes, planned, card)


def _revise(writes: _Writes, planned: PlannedRevision, card: Mapping[str, Any]) -> None:
    """Add the writes of one card's revision, if the record still changes anything."""
    now, actor_id = writes.now, writes.actor_id
    revision = revision_of(planned.record, card, planned.verifier_id)
    if not revision:
        return
    after = {**card, **revision.changes, "updated_at": now}
    if revision.source_version is not None:
        after["source_version"] = revision.source_version
    if revision.bump:
        after["version"] = card["version"] + 1
        after["changed_at"] = now
        what = f"{card['source']} version {card['source_version']} → {revision.source_version}"
    else:
        what = "updated by import"
    change = "major" if revision.bump else "minor"
    summary = f"{writes.note}: {what}"
    writes.bumped += int(revision.bump)
    writes.cards.append({"card_id": card["id"], **{k: after[k] for k in REVISED_COLUMNS}})
    writes.revisions.append(
        {"card_id": card["id"], "version": after["version"], "change": change,
         "summary": summary, "actor_id": actor_id, "at": now}
    )  # fmt: skip
    writes.events.append(
        {"actor_id": actor_id, "action": "card.update", "subject_type": "card",
         "subject_id": str(card["id"]), "before": _picture(card), "after": _picture(after),
         "at": now, "note": f"{change}: {summary}"}
    )  # fmt: skip


def _locked_cards(session: Session, card_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The cards with these ids as they are now, locked until commit."""
    found: dict[int, dict[str, Any]] = {}
    ordered = sorted(set(card_ids))
    for offset in range(0, len(ordered), BATCH):
        query = (
            select(*CARD_COLUMNS, CARD.c.changed_at)
            .where(CARD.c.id.in_(ordered[offset : offset + BATCH]))
            .order_by(CARD.c.id)
            .with_for_update()
        )
        found.update((row.id, dict(row._mapping)) for row in session.execute(query))
    return found


def _forget_loaded(session: Session, card_ids: set[int]) -> None:
    """Expire loaded Card objects that the UPDATE changed behind the ORM's back."""
    for loaded in list(session.identity_map.values()):
        if isinstance(loaded, Card) and loaded.id in card_ids:
            session.expire(loaded)


def _insert_cards(session: Session, *, rows: list[dict[str, Any]]) -> list[int]:
    """Insert new cards; their ids in the order of ``rows``.

    A card another writer added since the plan was made trips the unique index, which the
    savepoint turns into a Conflict.
    """
    if not rows:
        return []
    try:
        with session.begin_nested():
            # Matched back by key, not by order: asking for RETURNING rows in parameter
            # order makes SQLite insert one row per statement.
            statement = insert(CARD).returning(
                CARD.c.id, CARD.c.source, CARD.c.external_id, CARD.c.url
            )
            by_key = {
                _row_key(source, external_id, url): card_id
                for card_id, source, external_id, url in session.execute(statement, rows)
            }
    except IntegrityError:
        raise Conflict("another writer added some of these cards meanwhile; import again") from None
    return [by_key[_row_key(r["source"], r["external_id"], r["url"])] for r in rows]


def _row_key(source: str, external_id: str | None, url: str) -> tuple[str, str | None, str]:
    # A file names each (source, external id), or each (source, url) without one, once.
    return (source, external_id, "" if external_id is not None else url)


def _first_revision(card_id: int, *, actor_id: int | None, now: datetime) -> dict[str, Any]:
    return {"card_id": card_id, "version": 1, "change": "major", "summary": "created",
            "actor_id": actor_id, "at": now}  # fmt: skip


def _picture(row: Mapping[str, Any]) -> dict[str, Any]:
    """What ``audit.snapshot`` records of a card, from its row."""
    picture = {name: row[name] for name in service.AUDITED_FIELDS}
    for name in _AUDITED_INSTANTS:
        if picture[name] is not None:
            picture[name] = picture[name].isoformat()
    return picture


_AUDITED_INSTANTS = tuple(
    name for name in service.AUDITED_FIELDS if isinstance(CARD.c[name].type, UTCDateTime)
)
