"""Ready-first candidates for a shift: who could take it over, best prepared first.

A swap or a cover should not hand a shift to someone who has read nothing. The rotation's
other members are ranked: ``ready`` (every required card read at its current version),
``can_be_ready`` (cards left, but their reading fits before the reading is due at
``READING_MINUTES_PER_CARD`` a card), ``not_ready`` (it does not fit, or it is overdue), and
``unavailable`` (time off, an overlapping shift, deactivated) with the reason. Within a group,
fewer cards left first, then fewer shifts in the rotation, then name.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import Person
from onboarding import ack_reads, facts, readiness
from rotation import availability
from rotation.models import RotationMember, Shift

READING_MINUTES_PER_CARD = readiness.READING_MINUTES_PER_CARD


class Standing(StrEnum):
    READY = "ready"
    CAN_BE_READY = "can_be_ready"
    NOT_READY = "not_ready"
    UNAVAILABLE = "unavailable"


ORDER = list(Standing)


@dataclass(frozen=True)
class Candidate:
    person: Person
    standing: Standing
    cards_left: int
    cards_required: int
    shifts_in_rotation: int
    due_at: datetime | None
    reason: str | None = None


def standing_of(
    assessed: readiness.ShiftReadiness, *, now: datetime, minutes_per_card: int
) -> Standing:
    """Where a would-be holder stands with the reading of a shift (pure)."""
    if not assessed.missing:
        return Standing.READY
    fits = readiness.fits_before(
        cards_left=len(assessed.missing),
        due_at=assessed.due_at,
        now=now,
        minutes_per_card=minutes_per_card,
    )
    return Standing.CAN_BE_READY if fits else Standing.NOT_READY


def _unavailable(session: Session, shift: Shift, people: list[Person]) -> dict[int, str]:
    ids = [p.id for p in people]
    off = availability.time_off_intervals(session, person_ids=ids, start=shift.start, end=shift.end)
    busy = availability.shift_intervals(
        session, person_ids=ids, start=shift.start, end=shift.end, ignore_shift_ids=[shift.id]
    )
    reasons = {}
    for person in people:
        if not person.active:
            reasons[person.id] = "deactivated"
        elif person.id in off:
            reasons[person.id] = "has time off then"
        elif person.id in busy:
            reasons[person.id] = "is on an overlapping shift"
    return reasons


def _members(session: Session, shift: Shift, now: datetime) -> list[Person]:
    """Current members of the shift's rotation other than its holder, in roster order."""
    return list(
        session.scalars(
            select(Person)
            .join(RotationMember, RotationMember.person_id == Person.id)
            .where(
                RotationMember.rotation_id == shift.rotation_id,
                RotationMember.joined_at <= now,
                RotationMember.left_at.is_(None) | (RotationMember.left_at > now),
                Person.id != (shift.person_id or 0),
            )
            .order_by(RotationMember.position, Person.id)
        )
    )


def _shift_counts(session: Session, shift: Shift, ids: list[int]) -> dict[int, int]:
    """Live shifts each person holds in the shift's rotation (one query)."""
    rows = session.execute(
        select(Shift.person_id, func.count())
        .where(
            Shift.rotation_id == shift.rotation_id,
            Shift.cancelled_at.is_(None),
            Shift.person_id.in_(ids),
        )
        .group_by(Shift.person_id)
    )
    return {person_id: count for person_id, count in rows if person_id is not None}


def _rank(candidate: Candidate) -> tuple[int, int, int, str, int]:
    return (
        ORDER.index(candidate.standing),
        candidate.cards_left,
        candidate.shifts_in_rotation,
        candidate.person.name,
        candidate.person.id,
    )


def candidates(
    session: Session,
    *,
    shift: Shift,
    now: datetime,
    minutes_per_card: int = READING_MINUTES_PER_CARD,
) -> list[Candidate]:
    """The rotation's other members ranked for taking over ``shift`` (a fixed number of
    queries: members, availability, shift counts, and the reading facts)."""
    people = _members(session, shift, now)
    if not people:
        return []
    ids = [p.id for p in people]
    reasons = _unavailable(session, shift, people)
    counts = _shift_counts(session, shift, ids)
    loaded = facts.load_facts(session, where=[Shift.id == shift.id])
    acks = ack_reads.acks_of(session, person_ids=ids)
    [base] = loaded.shift_facts
    found = []
    for person in people:
        assessed = readiness.assess(
            # A late due time given to the holder is not the candidate's.
            replace(base, person_id=person.id, reading_due_at=None),
            requirements=loaded.requirements,
            card_sets=loaded.card_sets,
            cards=loaded.card_facts,
            acks=acks,
            now=now,
        )
        reason = reasons.get(person.id)
        found.append(
            Candidate(
                person=person,
                standing=Standing.UNAVAILABLE
                if reason
                else standing_of(assessed, now=now, minutes_per_card=minutes_per_card),
                cards_left=len(assessed.missing),
                cards_required=assessed.required,
                shifts_in_rotation=counts.get(person.id, 0),
                due_at=assessed.due_at,
                reason=reason,
            )
        )
    return sorted(found, key=_rank)
