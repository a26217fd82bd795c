"""Bulk import of cards from CSV or a Guru card export: all-or-nothing, idempotent.

Parsing is pure (text in, records or line errors out); planning matches each record to an
existing card on (source, external id) so that importing the same file twice changes nothing;
applying the plan writes it with multi-row statements. A caller that can end its transaction
between planning and applying (the API does) holds the database's write lock only for the
write.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from core.models import Person
from kb_links import guru, import_plan
from kb_links.import_plan import ImportPlan, changing
from kb_links.import_write import ImportResult, apply_plan
from kb_links.records import CardRecord, ImportRejected, LineError, check_duplicates, describe
from kb_links.schemas import CardCreate

CSV_COLUMNS = ("title", "url", "source", "external_id", "collection", "verify_every_days")
CSV_REQUIRED = ("title", "url")

__all__ = [
    "ImportPlan",
    "ImportRejected",
    "ImportResult",
    "apply_plan",
    "changing",
    "import_csv",
    "import_guru_export",
    "parse_csv",
    "plan_csv",
    "plan_guru_export",
    "write_records",
]


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


def plan_csv(session: Session, *, text: str, now: datetime) -> ImportPlan:
    """What importing this CSV would change; any bad row rejects the whole file. Reads only."""
    return import_plan.plan(session, records=parse_csv(text), now=now, note="csv import")


def plan_guru_export(session: Session, *, text: str, now: datetime) -> ImportPlan:
    """What importing this Guru card export (JSON list) would change. Reads only."""
    records = guru.parse_export(text, now=now)
    return import_plan.plan(session, records=records, now=now, note="guru import")


def import_csv(session: Session, *, text: str, now: datetime, actor: Person | None) -> ImportResult:
    """Import cards from CSV in the session's transaction; any bad row rejects the whole file."""
    return apply_plan(session, plan=plan_csv(session, text=text, now=now), now=now, actor=actor)


def import_guru_export(
    session: Session, *, text: str, now: datetime, actor: Person | None
) -> ImportResult:
    """Import a Guru card export (JSON list); any bad item rejects the whole file."""
    plan = plan_guru_export(session, text=text, now=now)
    return apply_plan(session, plan=plan, now=now, actor=actor)


def write_records(
    session: Session, *, records: list[CardRecord], now: datetime, note: str, actor: Person | None
) -> ImportResult:
    """Match ``records`` (checked already) against the registry as it is now, and write them.

    One batch of a large import: matched again inside the writing transaction, so a card
    added or edited since the file was first matched is revised as it now stands.
    """
    plan = import_plan.plan(session, records=records, now=now, note=note)
    return apply_plan(session, plan=plan, now=now, actor=actor)
