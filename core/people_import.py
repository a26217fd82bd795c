"""Import people from CSV: every row checked first, then written with multi-row statements."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, EmailStr, Field, ValidationError
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import audit
from core.errors import Conflict, Invalid
from core.models import Person
from core.people import AUDITED_FIELDS
from core.schemas import PersonCreate

CSV_COLUMNS = ("email", "name", "timezone", "team")


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    created_ids: tuple[int, ...] = ()


class ImportRejected(Invalid):
    """A CSV import with bad rows; ``errors`` names each one, nothing was written."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        super().__init__(
            f"{len(errors)} bad row(s); nothing imported",
            errors=[{"line": e.line, "message": e.message} for e in errors],
        )
        self.errors = list(errors)


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        field = ".".join(str(p) for p in item["loc"]) or "row"
        message = str(item["msg"]).removeprefix("Value error, ")
        parts.append(f"{field}: {message}")
    return "; ".join(parts)


# Rows per statement when importing: inside every backend's limit on bound parameters.
IMPORT_BATCH = 500


def parse_people_csv(text: str) -> list[PersonCreate]:
    """Every row of the file as a person; any bad row rejects the whole file. Pure."""
    return [data for _line, data in _parse_people(_read_csv(text))]


def changing_people(session: Session, *, people: list[PersonCreate]) -> list[PersonCreate]:
    """The rows that would create or change someone: the rest already match. Reads only."""
    emails = [str(d.email).lower() for d in people]
    known: dict[str, tuple[str, str, str | None]] = {}
    for offset in range(0, len(emails), IMPORT_BATCH):
        query = select(Person.email, Person.name, Person.timezone, Person.team).where(
            Person.email.in_(emails[offset : offset + IMPORT_BATCH])
        )
        known.update((email, (name, tz, team)) for email, name, tz, team in session.execute(query))
    return [
        data
        for data in people
        if known.get(str(data.email).lower()) != (data.name, data.timezone, data.team)
    ]


def write_people(
    session: Session, *, people: list[PersonCreate], now: datetime, actor: Person | None
) -> ImportResult:
    """Create or update ``people`` (checked rows) against the people stored now.

    Each person is matched again, locked where the database can, so that a person added or
    edited since the rows were checked is updated rather than duplicated, and the audit
    event's "before" is what was stored just before this write.
    """
    existing = _people_by_email(session, emails=[str(d.email).lower() for d in people])
    fresh: list[PersonCreate] = []
    changed: list[tuple[Person, PersonCreate]] = []
    for data in people:
        person = existing.get(str(data.email).lower())
        if person is None:
            fresh.append(data)
        elif (person.name, person.timezone, person.team) != (data.name, data.timezone, data.team):
            changed.append((person, data))
    created_ids = _insert_people(session, people=fresh, now=now, actor=actor)
    _update_people(session, changes=changed, now=now, actor=actor)
    return ImportResult(created=len(fresh), updated=len(changed), created_ids=tuple(created_ids))


def import_people_csv(
    session: Session, *, text: str, now: datetime, actor: Person | None
) -> ImportResult:
    """Create or update people from CSV in the session's one transaction (small files).

    Every row is validated first; then new people are inserted and changed ones updated
    with multi-row statements, each with its audit event. Large files go through
    ``flows.bulk_import``, which writes the same way in short batches.
    """
    return write_people(session, people=parse_people_csv(text), now=now, actor=actor)


def _people_by_email(session: Session, *, emails: list[str]) -> dict[str, Person]:
    found: dict[str, Person] = {}
    for offset in range(0, len(emails), IMPORT_BATCH):
        chunk = emails[offset : offset + IMPORT_BATCH]
        query = select(Person).where(Person.email.in_(chunk)).with_for_update()
        found.update((p.email, p) for p in session.scalars(query))
    return found


def _insert_people(
    session: Session, *, people: list[PersonCreate], now: datetime, actor: Person | None
) -> list[int]:
    rows = [
        {
            "email": str(d.email).lower(), "name": d.name, "timezone": d.timezone,
            "team": d.team, "is_admin": False, "active": True, "created_at": now,
        }
        for d in people
    ]  # fmt: skip
    # Matched back by email, not by order: asking for RETURNING rows in parameter order
    # makes SQLite insert one row per statement.
    by_email: dict[str, int] = {}
    statement = insert(Person).returning(Person.id, Person.email)
    try:
        for offset in range(0, len(rows), IMPORT_BATCH):
            chunk = rows[offset : offset + IMPORT_BATCH]
            by_email.update(
                (email, person_id) for person_id, email in session.execute(statement, chunk)
            )
    except IntegrityError:
        # Another writer added one of these emails in the same instant.
        raise Conflict("someone with one of these emails was added meanwhile") from None
    ids = [by_email[str(row["email"])] for row in rows]
    audit.record_many(
        session,
        events=[
            _event(actor, "person.create", person_id, after={**row, "created_at": None}, now=now)
            for person_id, row in zip(ids, rows, strict=True)
        ],
    )
    return ids


def _update_people(
    session: Session,
    *,
    changes: list[tuple[Person, PersonCreate]],
    now: datetime,
    actor: Person | None,
) -> None:
    events = []
    rows = []
    for person, data in changes:
        before = {"name": person.name, "timezone": person.timezone, "team": person.team}
        after = {"name": data.name, "timezone": data.timezone, "team": data.team}
        keys = [k for k in after if before[k] != after[k]]
        rows.append({"id": person.id, **after})
        events.append(
            _event(
                actor, "person.update", person.id, now=now,
                before={k: before[k] for k in keys}, after={k: after[k] for k in keys},
            )
        )  # fmt: skip
    for offset in range(0, len(rows), IMPORT_BATCH):
        session.execute(update(Person), rows[offset : offset + IMPORT_BATCH])
    audit.record_many(session, events=events)
    # The bulk UPDATE bypassed the identity map: reload these people when next read.
    for person, _data in changes:
        session.expire(person)


def _event(
    actor: Person | None,
    action: str,
    person_id: int,
    *,
    now: datetime,
    after: dict[str, Any],
    before: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "actor_id": actor.id if actor is not None else None,
        "action": action,
        "subject_type": "person",
        "subject_id": str(person_id),
        "before": before,
        "after": {k: v for k, v in after.items() if k in AUDITED_FIELDS},
        "at": now,
        "note": None,
    }


def _read_csv(text: str) -> list[tuple[int, dict[str | None, str | Any]]]:
    """The rows under a header of known columns, with their line numbers."""
    # newline="" lets the csv module see every line ending itself (a bare CR included).
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise ImportRejected([RowError(1, f"not valid CSV: {exc}")]) from exc
    missing = [c for c in ("email", "name") if c not in header]
    if missing:
        raise ImportRejected([RowError(1, f"header lacks column(s): {', '.join(missing)}")])
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if unknown:
        raise ImportRejected([RowError(1, f"unknown column(s): {', '.join(unknown)}")])
    reader.fieldnames = header
    rows: list[tuple[int, dict[str | None, str | Any]]] = []
    try:
        for row in reader:
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise ImportRejected([RowError(reader.line_num, f"not valid CSV: {exc}")]) from exc
    return rows


class _EmailOnly(BaseModel):
    email: EmailStr


class _ImportedPerson(PersonCreate):
    """A CSV row: its email already checked by ``_checked_email``."""

    email: str = Field(max_length=320)


# A plain local part (RFC 5322 dot-atom): the shape nearly every address in a file has.
_DOT_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")


def _checked_email(value: str, domains: dict[str, str]) -> str:
    """The address, lower-cased, if valid; ValidationError (as for EmailStr) if not.

    Checking an address's domain (IDNA rules) is most of the cost of checking it, and a
    file names few domains: a plain local part at a domain already checked in this file
    skips that step. Anything else gets the full check.
    """
    value = value.strip()
    local, _, domain = value.rpartition("@")
    known = domains.get(domain)
    if known is not None and len(local) <= 64 and len(value) <= 254 and _DOT_ATOM.fullmatch(local):
        return f"{local}@{known}".lower()
    email = str(_EmailOnly(email=value).email).lower()
    if _DOT_ATOM.fullmatch(local):
        domains[domain] = email.rpartition("@")[2]
    return email


def _parse_people(
    rows: list[tuple[int, dict[str | None, str | Any]]],
) -> list[tuple[int, PersonCreate]]:
    """Each non-blank row as a person; every bad or repeated row is named, then rejected."""
    errors: list[RowError] = []
    parsed: list[tuple[int, PersonCreate]] = []
    seen: dict[str, int] = {}
    domains: dict[str, str] = {}
    for line, row in rows:
        if None in row:
            errors.append(RowError(line, "more fields than the header has"))
            continue
        values = {k: (v or "").strip() for k, v in row.items()}
        if not any(values.values()):
            continue
        timezone = values.get("timezone") or "UTC"
        try:
            data = _ImportedPerson(
                email=_checked_email(values.get("email", ""), domains),
                name=values.get("name", ""),
                timezone=timezone,
                team=values.get("team") or None,
            )
        except ValidationError as exc:
            if any(e["loc"] == ("timezone",) for e in exc.errors()):
                errors.append(RowError(line, f'unknown timezone "{timezone}"'))
            else:
                errors.append(RowError(line, _describe(exc)))
            continue
        email = str(data.email).lower()
        if email in seen:
            errors.append(RowError(line, f"email {email} already appears on line {seen[email]}"))
            continue
        seen[email] = line
        parsed.append((line, data))
    if errors:
        raise ImportRejected(errors)
    return parsed
