"""Checklists and readiness reports: load the facts, let ``readiness`` decide, shape the rows."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from core import csv_export as exports
from core import paging
from core.errors import Invalid
from core.models import Person
from kb_links.models import Card
from onboarding import ack_reads, facts, readiness, report_records, returning
from onboarding.readiness import CardProgress, ShiftReadiness, Status
from rotation import members
from rotation.models import Shift

DEFAULT_WINDOW = timedelta(weeks=8)
MAX_WINDOW = timedelta(days=731)

READINESS_CSV_COLUMNS = (
    "shift_id",
    "rotation",
    "shift_start",
    "shift_end",
    "person_id",
    "person_email",
    "person_name",
    "due_at",
    "required",
    "done",
    "missing_card_ids",
    "status",
)


@dataclass(frozen=True)
class ChecklistEntry:
    shift: Shift
    readiness: ShiftReadiness
    # Cards changed since the person's previous shift come first, then the reading order.
    cards: list[tuple[Card, CardProgress]]
    # Those changed cards, by id, with their revision notes.
    changed: dict[int, returning.Change] = field(default_factory=dict)


@dataclass(frozen=True)
class ReadinessEntry:
    shift: report_records.ReportShift
    readiness: ShiftReadiness


@dataclass(frozen=True)
class Board:
    """One page of a readiness report, with counts over all of it and the cards it needs."""

    # The page's shifts, in report order.
    entries: list[ReadinessEntry]
    # Shifts per status over the whole window, whatever the status asked for.
    counts: dict[Status, int]
    # Shifts of the status asked for, over every page.
    total: int
    page: paging.Page
    # Every required card, by id, so a page can name what is missing.
    cards: dict[int, Card]


@dataclass(frozen=True)
class UpcomingShift:
    shift: Shift
    outlook: readiness.Outlook


def may_view_person(session: Session, *, viewer: Person, person: Person) -> bool:
    """Self, admins, and managers of a rotation the person currently belongs to."""
    return viewer.id == person.id or members.manages_member(session, manager=viewer, person=person)


def checklist(session: Session, *, person: Person, now: datetime) -> list[ChecklistEntry]:
    """The person's shifts not yet ended whose reading is assigned, with each card's state."""
    reading = facts.load_reading(
        session,
        where=facts.live_shift_conditions(Shift.person_id == person.id, Shift.end > now),
        ack_detail=ack_reads.AckDetail.LATEST,
    )
    entries = reading.checklists(now=now)
    changed = returning.changes_since_last_shift(
        session,
        person=person,
        card_ids={card_id for entry in entries for card_id in entry.card_ids},
        now=now,
    )
    result = []
    for entry in entries:
        # Changed first; sorted() is stable, so each group keeps the reading order.
        card_ids = sorted(entry.card_ids, key=lambda card_id: card_id not in changed)
        cards = [
            (
                reading.cards[card_id],
                readiness.card_progress(
                    reading.card_facts[card_id], person_id=person.id, acks=reading.acks
                ),
            )
            for card_id in card_ids
        ]
        result.append(
            ChecklistEntry(
                shift=reading.shifts_by_id[entry.shift.id],
                readiness=entry,
                cards=cards,
                changed={card_id: changed[card_id] for card_id in card_ids if card_id in changed},
            )
        )
    return result


def resolve_window(
    *, start: datetime | None, end: datetime | None, now: datetime
) -> tuple[datetime, datetime]:
    """The report window: defaults to now … now + 8 weeks; bounded so a report stays cheap."""
    start = start or now
    end = end or start + DEFAULT_WINDOW
    if end <= start:
        raise Invalid("end must be after start")
    if end - start > MAX_WINDOW:
        raise Invalid("the window can span at most two years")
    return start, end


def _window(
    *, start: datetime, end: datetime, rotation_ids: Collection[int] | None
) -> list[ColumnElement[bool]]:
    """Shifts overlapping [start, end), limited to ``rotation_ids`` when given."""
    conditions: list[ColumnElement[bool]] = [Shift.start < end, Shift.end > start]
    if rotation_ids is not None:
        conditions.append(Shift.rotation_id.in_(sorted(rotation_ids)))
    return conditions


def report(
    session: Session,
    *,
    start: datetime,
    end: datetime,
    rotation_ids: Collection[int] | None,
    now: datetime,
) -> list[ReadinessEntry]:
    """Readiness of every live shift overlapping [start, end), against all its requirements.

    ``rotation_ids`` limits the report (a manager's own rotations); None means every
    rotation. Four queries whatever the number of shifts, people, cards or acknowledgements
    (three when the reading summaries hold for everyone on them).
    """
    conditions = _window(start=start, end=end, rotation_ids=rotation_ids)
    loaded = facts.load_report(
        session, where=facts.live_shift_conditions(*conditions), summarized=True
    )
    results = loaded.judge(readiness.readiness, now=now)
    return [ReadinessEntry(shift, r) for shift, r in zip(loaded.shifts, results, strict=True)]


def page_entries(
    session: Session, shift_ids: list[int], *, required: facts.Requirements, now: datetime
) -> list[ReadinessEntry]:
    """The report's entries of ``shift_ids`` (a page of it), in that order, with the
    requirements of their rotations already loaded: one query, two when summaries do not hold."""
    if not shift_ids:
        return []
    loaded = facts.load_report(
        session, where=[Shift.id.in_(shift_ids)], summarized=True, required=required
    )
    results = loaded.judge(readiness.readiness, now=now)
    found = {
        shift.id: ReadinessEntry(shift, r) for shift, r in zip(loaded.shifts, results, strict=True)
    }
    return [found[shift_id] for shift_id in shift_ids]


def board(
    session: Session,
    *,
    start: datetime,
    end: datetime,
    rotation_ids: Collection[int] | None,
    now: datetime,
    status: Status | None = None,
    page: int = 1,
    page_size: int = 100,
) -> Board:
    """A page of the readiness report (only shifts of ``status``, if given), in report order.

    Readiness is worked out for every shift, to count them per status, from plain facts;
    only the page's shifts are read as records. Five queries whatever the number of shifts
    (four when the page is empty).
    """
    conditions = _window(start=start, end=end, rotation_ids=rotation_ids)
    loaded = facts.load_facts(
        session, where=facts.live_shift_conditions(*conditions), summarized=True
    )
    results = loaded.judge(readiness.readiness, now=now)
    counts = dict.fromkeys(Status, 0)
    for result in results:
        counts[result.status] += 1
    chosen = results if status is None else [r for r in results if r.status is status]
    shown = paging.page_of(len(chosen), number=page, size=page_size)
    on_page = chosen[shown.start : shown.stop]
    records = facts.report_shifts(session, [r.shift.id for r in on_page]) if on_page else {}
    return Board(
        entries=[ReadinessEntry(records[r.shift.id], r) for r in on_page],
        counts=counts,
        total=len(chosen),
        page=shown,
        cards=loaded.cards,
    )


def upcoming(
    session: Session, *, person: Person, now: datetime, until: datetime
) -> list[UpcomingShift]:
    """The person's live shifts from now until ``until``, by start, each with its outlook:
    checklist progress once reading is assigned, or when it will be.

    Four queries whatever the number of shifts, cards or acknowledgements.
    """
    reading = facts.load_reading(
        session,
        where=facts.live_shift_conditions(
            Shift.person_id == person.id, Shift.end > now, Shift.start < until
        ),
    )
    outlooks = reading.judge(readiness.outlook, now=now)
    return [UpcomingShift(reading.shifts_by_id[o.shift.id], o) for o in outlooks]


def report_csv(entries: list[ReadinessEntry]) -> str:
    """The report as CSV, one shift per line."""
    return exports.to_csv(
        READINESS_CSV_COLUMNS,
        (
            (
                entry.shift.id,
                entry.shift.rotation.slug,
                entry.shift.start.isoformat(),
                entry.shift.end.isoformat(),
                entry.shift.person.id if entry.shift.person else "",
                entry.shift.person.email if entry.shift.person else "",
                entry.shift.person.name if entry.shift.person else "",
                entry.readiness.due_at.isoformat() if entry.readiness.due_at else "",
                entry.readiness.required,
                entry.readiness.done,
                " ".join(map(str, entry.readiness.missing)),
                entry.readiness.status.value,
            )
            for entry in entries
        ),
    )
