"""Hours reports: the fairness ledger (``rotation.ledger``) of rotations over a date range.

A fixed number of queries whatever the range: the shifts, their releases and swaps, and one
query for holidays per rotation that names a calendar.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Forbidden, Invalid
from core.models import Person
from rotation import access, coverage, duty, ledger
from rotation import service as rotation_service
from rotation import shifts as shift_rows
from rotation.models import Rotation, Shift, ShiftRelease, SwapRequest

DONE_SWAPS = ("accepted", "approved")
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class HoursLine:
    """One person's hours in one rotation (or across all, ``rotation`` None)."""

    rotation: Rotation | None
    person: Person
    entry: ledger.Entry


def _live_shifts(
    session: Session, *, rotation_ids: Sequence[int], start: datetime, end: datetime
) -> list[Shift]:
    return list(
        session.scalars(
            select(Shift)
            .where(
                Shift.rotation_id.in_(rotation_ids),
                Shift.cancelled_at.is_(None),
                Shift.role == shift_rows.PRIMARY_ROLE,  # shadowing is learning, not duty
                Shift.person_id.is_not(None),
                Shift.start < end,
                Shift.end > start,
            )
            .order_by(Shift.start, Shift.slot, Shift.id)
        )
    )


def _covered_for(session: Session, shifts: Sequence[Shift]) -> dict[int, int]:
    """Who each covered shift was covered for, by shift id (two queries).

    An override covers for the person it released; a swap given without a shift in return
    covers for its requester. A trade is not a cover: each side gave a shift.
    """
    ids = [s.id for s in shifts if s.kind in (shift_rows.OVERRIDE, shift_rows.SWAP)]
    if not ids:
        return {}
    holders = {s.id: s.person_id for s in shifts}
    covered: dict[int, int] = {}
    releases = session.execute(
        select(ShiftRelease.shift_id, ShiftRelease.person_id)
        .where(ShiftRelease.shift_id.in_(ids))
        .order_by(ShiftRelease.sequence, ShiftRelease.id)
    )
    by_kind = {s.id: s.kind for s in shifts}
    for shift_id, person_id in releases:
        if by_kind[shift_id] == shift_rows.OVERRIDE and person_id != holders[shift_id]:
            covered[shift_id] = person_id  # the latest release wins
    swaps = session.scalars(
        select(SwapRequest).where(
            SwapRequest.shift_id.in_(ids),
            SwapRequest.status.in_(DONE_SWAPS),
            SwapRequest.counterpart_shift_id.is_(None),
        )
    )
    for swap in swaps:
        if holders.get(swap.shift_id) == swap.counterpart_person_id:
            covered[swap.shift_id] = swap.requester_id
    return covered


def _rotation_ledger(
    session: Session,
    *,
    rotation: Rotation,
    shifts: Sequence[Shift],
    covered: dict[int, int],
    start: datetime,
    end: datetime,
) -> dict[int, ledger.Entry]:
    rules = duty.rules_for(session, rotation=rotation, start=start, end=end)
    found = duty.rotation_holidays(
        session, rotation=rotation, first=(start - ONE_DAY).date(), last=(end + ONE_DAY).date()
    )
    pieces = [
        ledger.DutyPiece(
            person_id=shift.person_id,
            shift_id=shift.id,
            spans=coverage.duty_spans(rules, max(shift.start, start), min(shift.end, end)),
            covered_for=covered.get(shift.id),
        )
        for shift in shifts
        if shift.person_id is not None
    ]
    return ledger.build(
        pieces,
        zone=ZoneInfo(rotation.timezone),
        holidays=[h.day for h in found],
    )


def report(
    session: Session, *, rotations: Sequence[Rotation], start: datetime, end: datetime
) -> list[HoursLine]:
    """Per rotation and person, the ledger of duty inside [start, end), busiest first."""
    if not rotations:
        return []
    shifts = _live_shifts(session, rotation_ids=[r.id for r in rotations], start=start, end=end)
    covered = _covered_for(session, shifts)
    by_rotation: dict[int, list[Shift]] = {}
    for shift in shifts:
        by_rotation.setdefault(shift.rotation_id, []).append(shift)
    ledgers = {
        rotation.id: _rotation_ledger(
            session,
            rotation=rotation,
            shifts=by_rotation.get(rotation.id, []),
            covered=covered,
            start=start,
            end=end,
        )
        for rotation in rotations
    }
    person_ids = {pid for found in ledgers.values() for pid in found}
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(person_ids)))}
    lines = [
        HoursLine(rotation=rotation, person=people[pid], entry=entry)
        for rotation in rotations
        for pid, entry in ledgers[rotation.id].items()
    ]
    order = {rotation.id: k for k, rotation in enumerate(rotations)}
    return sorted(
        lines,
        key=lambda line: (
            order[line.rotation.id] if line.rotation else -1,
            -line.entry.burden,
            line.person.name,
        ),
    )


def across_rotations(lines: Sequence[HoursLine]) -> list[HoursLine]:
    """The same lines summed per person over every rotation in them."""
    people = {line.person.id: line.person for line in lines}
    merged = ledger.merge({line.person.id: line.entry} for line in lines)
    totals = [HoursLine(rotation=None, person=people[pid], entry=e) for pid, e in merged.items()]
    return sorted(totals, key=lambda line: (-line.entry.burden, line.person.name))


MAX_REPORT_DAYS = 732  # two years: bounded work for one request


def reportable(session: Session, *, viewer: Person, slug: str | None) -> list[Rotation]:
    """The rotations ``viewer`` may see hours of: admins every one, managers theirs.

    With ``slug``, just that rotation (NotFound, or Forbidden when not theirs).
    """
    managed = access.managed_rotation_ids(session, person=viewer)
    if slug is not None:
        rotation = rotation_service.get_rotation(session, slug)
        if rotation.id not in managed:
            raise Forbidden("hours reports are for the rotation's managers and admins")
        return [rotation]
    if not managed:
        raise Forbidden("hours reports are for rotation managers and admins")
    return [r for r in rotation_service.list_rotations(session) if r.id in managed]


def check_range(start: datetime, end: datetime) -> None:
    """Invalid unless start < end and the range spans at most ``MAX_REPORT_DAYS``."""
    if end <= start:
        raise Invalid("end must be after start")
    if end - start > timedelta(days=MAX_REPORT_DAYS):
        raise Invalid(f"a report covers at most {MAX_REPORT_DAYS} days; ask for a shorter range")
