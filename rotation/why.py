""" "Why me": the rule that put a person on a shift, and the figures it compared.

A scheduled shift is explained as the scheduler decides (``rotation.scheduler``): among the
members eligible at the shift's start, fewest shifts in this rotation before it (counting the
credit a member joined with), then whoever's last shift here ended longest ago, then roster
order. Under burden fairness the rule and figures are those the scheduler kept on the shift
when it chose (``Shift.why``): burden is weighed hours, which a count cannot retell. Members
who could not take it are named with the reason. Overrides and swaps say who changed the
shift and for whom. ``explain`` is pure; ``why`` loads its inputs in a fixed
number of queries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import Person
from rotation import availability, why_line
from rotation import shifts as shift_rows
from rotation.models import Rotation, RotationMember, Shift, ShiftRelease, SwapRequest
from rotation.scheduler import NEVER


@dataclass(frozen=True)
class Candidate:
    """One member as the scheduler saw them for the shift."""

    person_id: int
    name: str
    position: int
    shifts_before: int
    last_shift_end: datetime | None
    unavailable: str | None = None  # why they could not take it, if they could not

    def rank(self) -> tuple[int, datetime, int, int]:
        return (self.shifts_before, self.last_shift_end or NEVER, self.position, self.person_id)


@dataclass(frozen=True)
class Why:
    shift_id: int
    person_id: int | None
    rule: str  # fewest_shifts | waited_longest | roster_order | only_one | override | swap | cover
    text: str
    eligible: int
    candidates: tuple[Candidate, ...]


def _day(instant: datetime | None) -> str:
    return "never" if instant is None else instant.strftime("%a %d %b %Y")


def _unavailable_note(candidates: Sequence[Candidate]) -> str:
    missing = [c for c in candidates if c.unavailable]
    if not missing:
        return ""
    return "; " + "; ".join(f"{c.name} {c.unavailable}" for c in missing[:5])


def explain(holder_id: int, candidates: Sequence[Candidate]) -> tuple[str, str]:
    """The deciding rule and a sentence, for a shift the scheduler gave to ``holder_id``."""
    eligible = sorted((c for c in candidates if c.unavailable is None), key=Candidate.rank)
    holder = next((c for c in eligible if c.person_id == holder_id), None)
    note = _unavailable_note(candidates)
    if holder is None:
        return "unexplained", "Not placed by the scheduler's rule: the shift was set by hand."
    others = [c for c in eligible if c.person_id != holder_id]
    if not others:
        return "only_one", f"The only eligible member among {len(candidates)}{note}."
    runner_up = others[0]
    count = len(eligible)
    if holder.shifts_before != runner_up.shifts_before:
        if holder.shifts_before > runner_up.shifts_before:
            return "unexplained", (
                f"{runner_up.name} had fewer shifts ({runner_up.shifts_before} vs "
                f"{holder.shifts_before}): the shift was placed before a later change{note}."
            )
        return "fewest_shifts", (
            f"Fewest shifts among {count} eligible: {holder.shifts_before} vs next "
            f"{runner_up.shifts_before} ({runner_up.name}){note}."
        )
    if (holder.last_shift_end or NEVER) != (runner_up.last_shift_end or NEVER):
        return "waited_longest", (
            f"Tied at {holder.shifts_before} shifts with {runner_up.name}; waited longest: "
            f"last shift here {_day(holder.last_shift_end)} vs "
            f"{_day(runner_up.last_shift_end)}{note}."
        )
    return "roster_order", (
        f"Tied with {runner_up.name} on shifts ({holder.shifts_before}) and last shift "
        f"({_day(holder.last_shift_end)}); earlier in the roster{note}."
    )


def _candidates(session: Session, shift: Shift) -> list[Candidate]:
    """The rotation's members when the shift was decided, with their figures (five queries).

    Like the scheduler, membership is judged at the shift's start, or when the shift was
    made if that was later (a decision is never made in the past).
    """
    decided_at = max(shift.start, shift.created_at)
    rows = session.execute(
        select(RotationMember, Person)
        .join(Person, Person.id == RotationMember.person_id)
        .where(
            RotationMember.rotation_id == shift.rotation_id,
            RotationMember.joined_at <= decided_at,
            (RotationMember.left_at.is_(None)) | (RotationMember.left_at > decided_at),
        )
        .order_by(RotationMember.position)
    ).all()
    ids = [person.id for _, person in rows]
    earlier = (
        select(Shift.person_id, func.count(), func.max(Shift.end))
        .where(
            Shift.rotation_id == shift.rotation_id,
            Shift.cancelled_at.is_(None),
            Shift.role == shift_rows.PRIMARY_ROLE,
            Shift.person_id.in_(ids),
            Shift.end <= shift.start,
        )
        .group_by(Shift.person_id)
    )
    figures = {pid: (n, last) for pid, n, last in session.execute(earlier)}
    off = availability.time_off_intervals(session, person_ids=ids, start=shift.start, end=shift.end)
    busy = availability.shift_intervals(
        session, person_ids=ids, start=shift.start, end=shift.end, ignore_shift_ids=[shift.id]
    )
    candidates = []
    for member, person in rows:
        shifts_before, last_end = figures.get(person.id, (0, None))
        reason = (
            "was deactivated"
            if not person.active
            else "was on time off"
            if person.id in off
            else "was on an overlapping shift"
            if person.id in busy
            else None
        )
        candidates.append(
            Candidate(
                person_id=person.id,
                name=person.name,
                position=member.position,
                shifts_before=member.count_offset + shifts_before,
                last_shift_end=last_end,
                unavailable=reason,
            )
        )
    return candidates


def _changed_by_hand(session: Session, shift: Shift) -> tuple[str, str] | None:
    """The rule and sentence for an override or a swap; None for a scheduled shift."""
    if shift.kind == shift_rows.OVERRIDE:
        released = session.scalar(
            select(Person.name)
            .join(ShiftRelease, ShiftRelease.person_id == Person.id)
            .where(ShiftRelease.shift_id == shift.id)
            .order_by(ShiftRelease.sequence.desc(), ShiftRelease.id.desc())
            .limit(1)
        )
        text = "Put on this shift by a manager's override"
        return "override", text + (f", covering for {released}." if released else ".")
    if shift.kind == shift_rows.SWAP:
        swap = session.scalars(
            select(SwapRequest)
            .where(
                (SwapRequest.shift_id == shift.id) | (SwapRequest.counterpart_shift_id == shift.id),
                SwapRequest.status.in_(("accepted", "approved")),
            )
            .order_by(SwapRequest.updated_at.desc(), SwapRequest.id.desc())
            .limit(1)
        ).first()
        if swap is None:
            return "swap", "Taken in a swap."
        other_id = (
            swap.requester_id
            if shift.person_id != swap.requester_id
            else (swap.counterpart_person_id)
        )
        other = session.get(Person, other_id)
        name = other.name if other is not None else "a former member"
        if swap.counterpart_shift_id is None:
            return "cover", f"Took this shift to cover for {name} (a swap without a shift back)."
        return "swap", f"Traded shifts with {name}."
    return None


def _stored(
    session: Session, shift: Shift, candidates: Sequence[Candidate]
) -> tuple[str, str] | None:
    """The rule and sentence the scheduler kept, for a rotation shared out by burden."""
    rotation = session.get(Rotation, shift.rotation_id)
    sentence = why_line.sentence(shift.why)
    if rotation is None or rotation.fairness != "burden" or shift.why is None or not sentence:
        return None
    rule = str(shift.why.get("rule"))
    return ("fewest_burden" if rule == "fewest" else rule), sentence + _unavailable_note(
        candidates
    ) + "."


def why(session: Session, *, shift: Shift) -> Why:
    """Why ``shift`` is held by its person (or is uncovered)."""
    by_hand = _changed_by_hand(session, shift)
    candidates = _candidates(session, shift) if by_hand is None else []
    eligible = sum(1 for c in candidates if c.unavailable is None)
    if by_hand is not None:
        rule, text = by_hand
    elif shift.person_id is None:
        rule = "uncovered"
        text = f"Nobody could take it{_unavailable_note(candidates)}."
    else:
        rule, text = _stored(session, shift, candidates) or explain(shift.person_id, candidates)
    return Why(
        shift_id=shift.id,
        person_id=shift.person_id,
        rule=rule,
        text=text,
        eligible=eligible,
        candidates=tuple(candidates),
    )
