"""Readiness of shifts: plain values in (shifts, requirements, cards, acknowledgements, now),
plain statuses out. Nothing here is stored; every answer is derived on demand, so a swap or a
major card change shows up the moment it happens.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import NamedTuple

from core.wallclock import days_before

# Acknowledgements as the rules read them: person -> card -> version -> first time.
from onboarding.ack_index import NO_VERSION, NOTHING_READ, AckIndex, Unread, Versions

__all__ = ["NOTHING_READ", "NO_VERSION", "AckIndex", "Unread", "Versions"]


class Status(StrEnum):
    READY = "ready"
    PENDING = "pending"
    OVERDUE = "overdue"
    UNCOVERED = "uncovered"
    # Only in the readiness report: within the rotation's ``at_risk_days`` of its start, the
    # person is overdue or cannot read what is left before the reading is due.
    AT_RISK = "at_risk"


# How long one card takes to read, for "can this still be done in time".
READING_MINUTES_PER_CARD = 15


@dataclass(frozen=True, slots=True)
class ShiftFacts:
    id: int
    rotation_id: int
    start: datetime
    end: datetime
    person_id: int | None
    # The rotation's zone: "two days before" means the same wall-clock time two days
    # earlier, also across a DST change.
    timezone: str = "UTC"
    # The rotation's ``at_risk_days`` (0: never at risk).
    at_risk_days: int = 0
    # A later due time given to whoever took the shift over late (None: none).
    reading_due_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class RequirementFacts:
    id: int
    rotation_id: int
    card_set_id: int
    assign_days_before: int
    due_days_before: int


@dataclass(frozen=True, slots=True)
class CardFacts:
    id: int
    version: int
    archived: bool = False


class CardProgress(NamedTuple):
    """One card of a checklist: read at its current version, or which version was read."""

    card_id: int
    acknowledged: bool
    acknowledged_version: int | None
    acknowledged_at: datetime | None


@dataclass(frozen=True, slots=True)
class ShiftReadiness:
    shift: ShiftFacts
    status: Status
    due_at: datetime | None
    assigned_at: datetime | None
    # Required cards in reading order, and those not read at their current version.
    card_ids: tuple[int, ...]
    missing: tuple[int, ...]

    @property
    def required(self) -> int:
        return len(self.card_ids)

    @property
    def done(self) -> int:
        return len(self.card_ids) - len(self.missing)


def assigned_at(shift: ShiftFacts, requirement: RequirementFacts) -> datetime:
    return days_before(shift.start, days=requirement.assign_days_before, timezone=shift.timezone)


def due_at(shift: ShiftFacts, requirement: RequirementFacts) -> datetime:
    return days_before(shift.start, days=requirement.due_days_before, timezone=shift.timezone)


def required_cards(
    requirements: Sequence[RequirementFacts],
    *,
    card_sets: Mapping[int, Sequence[int]],
    cards: Mapping[int, CardFacts],
) -> list[int]:
    """Card ids the requirements ask for: by requirement, then set position, each once.

    Archived cards drop out: they can no longer be acknowledged, so requiring them would
    leave the shift unready forever.
    """
    seen: set[int] = set()
    ordered: list[int] = []
    for requirement in requirements:
        for card_id in card_sets.get(requirement.card_set_id, ()):
            card = cards.get(card_id)
            if card is None or card.archived or card_id in seen:
                continue
            seen.add(card_id)
            ordered.append(card_id)
    return ordered


def card_progress(card: CardFacts, *, person_id: int | None, acks: AckIndex) -> CardProgress:
    """Whether ``person_id`` acknowledged ``card`` at its current version, and when.

    When they did not, the version they last acknowledged (if any) is reported, so a
    checklist can say "you read version 2; this is version 3".
    """
    versions = acks.get(person_id, NOTHING_READ).get(card.id) if person_id is not None else None
    if not versions:
        return CardProgress(card.id, False, None, None)
    if card.version in versions:
        return CardProgress(card.id, True, card.version, versions[card.version])
    latest = max(versions)
    return CardProgress(card.id, False, latest, versions[latest])


def assess(
    shift: ShiftFacts,
    *,
    requirements: Sequence[RequirementFacts],
    card_sets: Mapping[int, Sequence[int]],
    cards: Mapping[int, CardFacts],
    acks: AckIndex,
    now: datetime,
) -> ShiftReadiness:
    """Readiness of one shift against the given requirements (all of them apply).

    A shift with no requirements is ``ready`` with nothing to read; a shift without a person
    is ``uncovered`` whatever was read.
    """
    card_ids = required_cards(requirements, card_sets=card_sets, cards=cards)
    return _assess(shift, _plan(requirements, card_ids), cards=cards, acks=acks, now=now)


class _Plan(NamedTuple):
    """What every shift of a rotation shares: its cards, and how many days before a shift
    the reading is first due and first assigned (None: nothing required)."""

    card_ids: tuple[int, ...]
    due_days: int | None
    assign_days: int | None


def _plan(requirements: Sequence[RequirementFacts], card_ids: Sequence[int]) -> _Plan:
    # The most days before is the earliest instant: days_before only moves back in time.
    return _Plan(
        tuple(card_ids),
        max((r.due_days_before for r in requirements), default=None),
        max((r.assign_days_before for r in requirements), default=None),
    )


def _assess(
    shift: ShiftFacts,
    plan: _Plan,
    *,
    cards: Mapping[int, CardFacts],
    acks: AckIndex,
    now: datetime,
) -> ShiftReadiness:
    card_ids = plan.card_ids
    person_id = shift.person_id
    read = acks.get(person_id, NOTHING_READ) if person_id is not None else NOTHING_READ
    if person_id is None:
        missing = tuple(card_ids)
    elif type(read) is Unread:
        # Summarised: only the few unread cards to look for, none for most people.
        gaps = read.missing
        missing = tuple(card_id for card_id in card_ids if card_id in gaps) if gaps else ()
    else:
        # The hot loop of a large report (shifts x cards): plain lookups, no call per card.
        missing = tuple(
            card_id
            for card_id in card_ids
            if cards[card_id].version not in read.get(card_id, NO_VERSION)
        )
    due = assigned = None
    if plan.due_days is not None:
        due = days_before(shift.start, days=plan.due_days, timezone=shift.timezone)
        if shift.reading_due_at is not None and shift.reading_due_at > due:
            due = shift.reading_due_at
    if plan.assign_days is not None:
        assigned = days_before(shift.start, days=plan.assign_days, timezone=shift.timezone)
    if person_id is None:
        status = Status.UNCOVERED
    elif not missing:
        status = Status.READY
    elif due is not None and now >= due:
        status = Status.OVERDUE
    else:
        status = Status.PENDING
    return ShiftReadiness(shift, status, due, assigned, card_ids, missing)


def fits_before(
    *, cards_left: int, due_at: datetime | None, now: datetime, minutes_per_card: int
) -> bool:
    """Whether ``cards_left`` cards can still be read before ``due_at`` (no due time: yes)."""
    if due_at is None:
        return True
    return now + timedelta(minutes=minutes_per_card * cards_left) <= due_at


def at_risk(
    entry: ShiftReadiness, *, now: datetime, minutes_per_card: int = READING_MINUTES_PER_CARD
) -> bool:
    """Whether a shift counts as at risk at ``now``: it starts within its rotation's
    ``at_risk_days`` and its person is overdue or cannot finish the reading in time."""
    shift = entry.shift
    if shift.at_risk_days <= 0 or shift.person_id is None or not entry.missing:
        return False
    if now >= shift.start or now < days_before(
        shift.start, days=shift.at_risk_days, timezone=shift.timezone
    ):
        return False
    return not fits_before(
        cards_left=len(entry.missing),
        due_at=entry.due_at,
        now=now,
        minutes_per_card=minutes_per_card,
    )


def group_requirements(
    requirements: Iterable[RequirementFacts],
) -> dict[int, list[RequirementFacts]]:
    """Requirements per rotation, keeping their given order."""
    by_rotation: dict[int, list[RequirementFacts]] = {}
    for requirement in requirements:
        by_rotation.setdefault(requirement.rotation_id, []).append(requirement)
    return by_rotation


def required_by_rotation(
    by_rotation: Mapping[int, Sequence[RequirementFacts]],
    *,
    card_sets: Mapping[int, Sequence[int]],
    cards: Mapping[int, CardFacts],
) -> dict[int, list[int]]:
    """Each rotation's ``required_cards`` (from ``group_requirements``), worked out once per
    combination of card sets: rotations mostly share theirs."""
    by_sets: dict[tuple[int, ...], list[int]] = {}
    result: dict[int, list[int]] = {}
    for rotation_id, reqs in by_rotation.items():
        key = tuple(r.card_set_id for r in reqs)
        found = by_sets.get(key)
        if found is None:
            found = by_sets[key] = required_cards(reqs, card_sets=card_sets, cards=cards)
        result[rotation_id] = found
    return result


def readiness(
    shifts: Iterable[ShiftFacts],
    *,
    requirements: Iterable[RequirementFacts],
    card_sets: Mapping[int, Sequence[int]],
    cards: Mapping[int, CardFacts],
    acks: AckIndex,
    now: datetime,
) -> list[ShiftReadiness]:
    """Readiness of every shift against every requirement of its rotation, with shifts
    ``at_risk`` where their rotation asks for it."""
    by_rotation = group_requirements(requirements)
    # Every shift of a rotation requires the same cards: work them out once per rotation,
    # and only for the rotations of these shifts (the requirements may cover many more).
    card_ids = required_by_rotation(by_rotation, card_sets=card_sets, cards=cards)
    plans: dict[int, _Plan] = {}
    results = []
    for shift in shifts:
        plan = plans.get(shift.rotation_id)
        if plan is None:
            reqs = by_rotation.get(shift.rotation_id, ())
            plan = plans[shift.rotation_id] = _plan(reqs, card_ids.get(shift.rotation_id, ()))
        result = _assess(shift, plan, cards=cards, acks=acks, now=now)
        if shift.at_risk_days and at_risk(result, now=now):
            result = replace(result, status=Status.AT_RISK)
        results.append(result)
    return results


def assigned_requirements(
    shift: ShiftFacts, requirements: Iterable[RequirementFacts], *, now: datetime
) -> list[RequirementFacts]:
    """The requirements whose assign window for ``shift`` has opened by ``now``."""
    return [r for r in requirements if assigned_at(shift, r) <= now]


def checklist(
    shifts: Iterable[ShiftFacts],
    *,
    requirements: Iterable[RequirementFacts],
    card_sets: Mapping[int, Sequence[int]],
    cards: Mapping[int, CardFacts],
    acks: AckIndex,
    now: datetime,
) -> list[ShiftReadiness]:
    """Shifts not yet ended whose reading has been assigned, each with the assigned cards.

    A requirement joins a shift's checklist when its own assign window opens, so the due
    time is the earliest among the requirements assigned so far.
    """
    by_rotation = group_requirements(requirements)
    entries: list[ShiftReadiness] = []
    for shift in sorted(shifts, key=lambda s: (s.start, s.id)):
        if shift.end <= now:
            continue
        assigned = assigned_requirements(shift, by_rotation.get(shift.rotation_id, []), now=now)
        if not assigned:
            continue
        entries.append(
            assess(
                shift,
                requirements=assigned,
                card_sets=card_sets,
                cards=cards,
                acks=acks,
                now=now,
            )
        )
    return entries


@dataclass(frozen=True)
class Outlook:
    """A shift ahead as its person sees it: the reading assigned so far, or when it opens."""

    shift: ShiftFacts
    # Against the requirements assigned by now (as on the checklist); None before any is.
    checklist: ShiftReadiness | None
    # When the first requirement is assigned, while none is yet; None once one is, or
    # when the rotation requires no reading at all.
    opens_at: datetime | None


def outlook(
    shifts: Iterable[ShiftFacts],
    *,
    requirements: Iterable[RequirementFacts],
    card_sets: Mapping[int, Sequence[int]],
    cards: Mapping[int, CardFacts],
    acks: AckIndex,
    now: datetime,
) -> list[Outlook]:
    """Every shift not yet ended, by start: its checklist so far, or when reading opens.

    The checklists are exactly those ``checklist`` gives, so a home page's progress and the
    checklist page always agree.
    """
    by_rotation = group_requirements(requirements)
    result: list[Outlook] = []
    for shift in sorted(shifts, key=lambda s: (s.start, s.id)):
        if shift.end <= now:
            continue
        required = by_rotation.get(shift.rotation_id, [])
        assigned = assigned_requirements(shift, required, now=now)
        if assigned:
            entry = assess(
                shift, requirements=assigned, card_sets=card_sets, cards=cards, acks=acks, now=now
            )
            result.append(Outlook(shift, entry, None))
        else:
            opens_at = min((assigned_at(shift, r) for r in required), default=None)
            result.append(Outlook(shift, None, opens_at))
    return result
