"""People and card imports of any size: every row checked first, then written in batches.

Three steps, none of which holds the write lock for long:

1. **Check** (no transaction): the whole file is parsed and every row validated. Any bad
   row rejects the file (``ImportRejected``, 422) before anything is written.
2. **Match** (a reading transaction, no write lock): rows that already match what is
   stored are set aside; they count as done and are not written.
3. **Write** (``core.batches``): the remaining rows in batches of ``BATCH_ROWS``, each its
   own short transaction. Each batch matches its rows again as they are at that moment.

What a concurrent change does. An edit made between the match and a row's batch: for a
row the file changes, the file's values are written over the card or person as it then
stands (fields the file does not carry keep the edit; a source version still decides a
bump against the version stored then) and the audit event's "before" shows the edit. For
a row the match found already as the file has it, the edit wins: the row is not written.
A card or person added by someone else meanwhile is updated, not duplicated. Every write
is idempotent: if the process stops between batches, the batches written stay, and
importing the same file again writes only what is still missing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from core import batches, people_import
from core.batches import Progress
from core.db import begin_reading
from core.models import Person
from kb_links import guru, importers

KINDS = ("people", "cards")


@dataclass
class Totals:
    """What an import wrote; ``bumped`` only for cards."""

    created: int = 0
    updated: int = 0
    bumped: int | None = None
    created_ids: list[int] = field(default_factory=list)


# Writes one batch of checked rows; its result is a people or card ``ImportResult``.
Writer = Callable[[Session, list[Any], datetime, "Person | None"], Any]


@dataclass(frozen=True)
class Checked:
    """A file every row of which passed, matched against what is stored."""

    kind: str
    total: int
    pending: Sequence[Any]
    write: Writer

    @property
    def unchanged(self) -> int:
        return self.total - len(self.pending)


def check_cards(session: Session, *, text: str, is_json: bool, now: datetime) -> Checked:
    """Parse a CSV or Guru export (``ImportRejected`` on any bad row), then match it."""
    if is_json:
        records, note = guru.parse_export(text, now=now), "guru import"
    else:
        records, note = importers.parse_csv(text), "csv import"

    def write(session: Session, batch: list[Any], now: datetime, actor: Person | None) -> Any:
        return importers.write_records(session, records=batch, now=now, note=note, actor=actor)

    pending = _matched(session, lambda: importers.changing(session, records=records))
    return Checked(kind="cards", total=len(records), pending=pending, write=write)


def check_people(session: Session, *, text: str) -> Checked:
    """Parse a people CSV (``ImportRejected`` on any bad row), then match it."""
    rows = people_import.parse_people_csv(text)

    def write(session: Session, batch: list[Any], now: datetime, actor: Person | None) -> Any:
        return people_import.write_people(session, people=batch, now=now, actor=actor)

    pending = _matched(session, lambda: people_import.changing_people(session, people=rows))
    return Checked(kind="people", total=len(rows), pending=pending, write=write)


def _matched(session: Session, match: Callable[[], list[Any]]) -> list[Any]:
    """``match()`` in a transaction of its own that takes no write lock."""
    if session.in_transaction():
        session.commit()
    begin_reading(session)
    try:
        return match()
    finally:
        session.commit()


def write(
    session: Session,
    checked: Checked,
    *,
    now: datetime,
    actor: Person | None,
    progress: Progress | None = None,
    size: int | None = None,
) -> Totals:
    """Write the checked rows in batches, each committed on its own."""
    results = batches.write_in_batches(
        session,
        checked.pending,
        lambda session, batch: checked.write(session, batch, now, actor),
        progress=progress,
        done=checked.unchanged,
        total=checked.total,
        size=size or batches.BATCH_ROWS,
    )
    totals = Totals(bumped=0 if checked.kind == "cards" else None)
    for result in results:
        totals.created += result.created
        totals.updated += result.updated
        if totals.bumped is not None:
            totals.bumped += result.bumped
        totals.created_ids.extend(getattr(result, "created_ids", ()))
    return totals
