"""Swaps: trade two shifts or hand one to a colleague; accept, decline, cancel, approve.

A swap takes effect when the counterpart accepts it, or when a manager approves it where
the rotation asks for approval. Shift rows keep their ids and UIDs; only the person changes
and ``sequence`` grows. The shifts' sequences are remembered at request time: if either
shift changed since, the swap no longer describes it and answering it is a Conflict.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core import audit, db
from core.errors import Conflict, Forbidden, Invalid
from core.models import Person
from rotation import access, availability, generation
from rotation import shifts as shift_rows
from rotation.models import Rotation, Shift, SwapRequest

PENDING = "pending"
ACCEPTED = "accepted"
APPROVED = "approved"
DECLINED = "declined"
CANCELLED = "cancelled"
STATUSES = (PENDING, ACCEPTED, APPROVED, DECLINED, CANCELLED)


# What an audit event pictures of a swap.
AUDITED_FIELDS = (
    "shift_id",
    "counterpart_shift_id",
    "counterpart_person_id",
    "requester_id",
    "status",
)


def _shift(session: Session, shift_id: int, *, role: str) -> Shift:
    shift = session.get(Shift, shift_id)
    if shift is None:
        raise Invalid(f"there is no such {role}")
    if shift.role == shift_rows.SHADOW_ROLE:
        raise Conflict(f"that {role} is a shadow shift: only primary shifts are swapped")
    return shift


def describe_shift(session: Session, shift: Shift) -> str:
    """A shift as people know it, by who holds it and when (in the rotation's zone); never
    by its internal id."""
    rotation = session.get(Rotation, shift.rotation_id)
    assert rotation is not None
    local = shift.start.astimezone(ZoneInfo(rotation.timezone))
    person = session.get(Person, shift.person_id) if shift.person_id is not None else None
    holder = f"{person.name}'s shift" if person is not None else "the uncovered shift"
    return f"{holder} of {local:%a} {local.day} {local:%b %Y, %H:%M} ({rotation.timezone})"


def _check_open(session: Session, shift: Shift, *, now: datetime) -> None:
    if shift.cancelled_at is not None:
        raise Conflict(f"{describe_shift(session, shift)} is cancelled")
    if shift.start <= now:
        raise Conflict(
            f"{describe_shift(session, shift)} has already started; only shifts ahead can be"
            " swapped"
        )


def _check_free(session: Session, *, person: Person, shift: Shift, ignore: list[int]) -> None:
    reason = availability.conflict(
        session, person=person, start=shift.start, end=shift.end, ignore_shift_ids=ignore
    )
    if reason is not None:
        raise Conflict(f"{reason} during {describe_shift(session, shift)}")


def request_swap(
    session: Session,
    *,
    requester: Person,
    shift_id: int,
    counterpart_shift_id: int | None,
    counterpart_person_id: int | None,
    now: datetime,
) -> SwapRequest:
    """Offer one's own shift: in trade for ``counterpart_shift_id``, or to a person to cover."""
    shift = _shift(session, shift_id, role="shift")
    if shift.person_id != requester.id:
        raise Forbidden("only the person on the shift can offer it for a swap")
    _check_open(session, shift, now=now)
    counterpart_shift = None
    if counterpart_shift_id is not None:
        counterpart_shift = _tradable(
            session, counterpart_shift_id, shift=shift, requester=requester, now=now
        )
        counterpart_person_id = counterpart_shift.person_id
    assert counterpart_person_id is not None
    counterpart = _counterpart(session, counterpart_person_id, requester=requester)
    _check_feasible(
        session,
        shift=shift,
        counterpart_shift=counterpart_shift,
        requester=requester,
        counterpart=counterpart,
    )
    swap = SwapRequest(
        shift_id=shift.id,
        requester_id=requester.id,
        counterpart_person_id=counterpart.id,
        counterpart_shift_id=counterpart_shift.id if counterpart_shift else None,
        shift_sequence=shift.sequence,
        counterpart_shift_sequence=counterpart_shift.sequence if counterpart_shift else None,
        status=PENDING,
        created_at=now,
        updated_at=now,
    )
    session.add(swap)
    session.flush()
    audit.Trail(session, actor=requester, at=now).record(
        "swap.request", ("swap", swap.id), after=audit.snapshot(swap, AUDITED_FIELDS)
    )
    return swap


def _tradable(
    session: Session, shift_id: int, *, shift: Shift, requester: Person, now: datetime
) -> Shift:
    """The shift to trade for: another one ahead in the same rotation, held by someone else."""
    counterpart_shift = _shift(session, shift_id, role="counterpart shift")
    if counterpart_shift.id == shift.id:
        raise Invalid("a shift cannot be traded for itself")
    if counterpart_shift.rotation_id != shift.rotation_id:
        raise Invalid("shifts can be traded only within one rotation")
    if counterpart_shift.person_id is None:
        raise Invalid("the counterpart shift is uncovered; there is nobody to trade with")
    if counterpart_shift.person_id == requester.id:
        raise Invalid("the counterpart shift is already yours")
    _check_open(session, counterpart_shift, now=now)
    return counterpart_shift


def _counterpart(session: Session, person_id: int, *, requester: Person) -> Person:
    """The active colleague, other than the requester, who would take the shift."""
    counterpart = session.get(Person, person_id)
    if counterpart is None:
        raise Invalid("there is no such person to swap with")
    if counterpart.id == requester.id:
        raise Invalid("you cannot swap a shift with yourself")
    if not counterpart.active:
        raise Invalid(f"{counterpart.name} is deactivated")
    return counterpart


def _check_feasible(
    session: Session,
    *,
    shift: Shift,
    counterpart_shift: Shift | None,
    requester: Person,
    counterpart: Person,
) -> None:
    """Nobody ends up on time off or on two overlapping shifts once the swap is done."""
    ignore = [shift.id] + ([counterpart_shift.id] if counterpart_shift else [])
    _check_free(session, person=counterpart, shift=shift, ignore=ignore)
    if counterpart_shift is not None:
        _check_free(session, person=requester, shift=counterpart_shift, ignore=ignore)


def get_swap(session: Session, swap_id: int) -> SwapRequest:
    return db.get_or_not_found(session, SwapRequest, swap_id, what="swap")


def _rotation_of(session: Session, swap: SwapRequest) -> Rotation:
    rotation = session.scalar(
        select(Rotation)
        .join(Shift, Shift.rotation_id == Rotation.id)
        .where(Shift.id == swap.shift_id)
    )
    assert rotation is not None
    return rotation


def _set_status(
    session: Session, *, swap: SwapRequest, status: str, actor: Person, now: datetime
) -> SwapRequest:
    before = audit.snapshot(swap, AUDITED_FIELDS)
    swap.status = status
    swap.updated_at = now
    session.flush()
    audit.Trail(session, actor=actor, at=now).record_change(
        f"swap.{status}",
        ("swap", swap.id),
        before=before,
        after=audit.snapshot(swap, AUDITED_FIELDS),
    )
    return swap


def _verified(session: Session, *, swap: SwapRequest, now: datetime) -> tuple[Shift, Shift | None]:
    """The swap's shifts, locked, after checking they are still as they were when asked."""
    generation.lock(session, _rotation_of(session, swap).id)
    shift = session.get(Shift, swap.shift_id)
    assert shift is not None
    counterpart_shift = (
        session.get(Shift, swap.counterpart_shift_id) if swap.counterpart_shift_id else None
    )
    changed = shift.sequence != swap.shift_sequence or (
        counterpart_shift is not None
        and counterpart_shift.sequence != swap.counterpart_shift_sequence
    )
    if changed:
        raise Conflict("a shift in this swap changed since it was requested; ask again")
    _check_open(session, shift, now=now)
    if counterpart_shift is not None:
        _check_open(session, counterpart_shift, now=now)
    requester = session.get(Person, swap.requester_id)
    counterpart = session.get(Person, swap.counterpart_person_id)
    assert requester is not None and counterpart is not None
    if not counterpart.active or not requester.active:
        raise Conflict("someone in this swap has been deactivated")
    _check_feasible(
        session,
        shift=shift,
        counterpart_shift=counterpart_shift,
        requester=requester,
        counterpart=counterpart,
    )
    return shift, counterpart_shift


def _carry_out(session: Session, *, swap: SwapRequest, now: datetime) -> None:
    """Move the people; ids and UIDs stay, sequences grow."""
    shift, counterpart_shift = _verified(session, swap=swap, now=now)
    shift_rows.give_to(
        session,
        shift=shift,
        person_id=swap.counterpart_person_id,
        kind=shift_rows.SWAP,
        now=now,
        cover=counterpart_shift is None,
    )
    if counterpart_shift is not None:
        shift_rows.give_to(
            session,
            shift=counterpart_shift,
            person_id=swap.requester_id,
            kind=shift_rows.SWAP,
            now=now,
        )
    session.flush()


def accept(session: Session, *, swap: SwapRequest, person: Person, now: datetime) -> SwapRequest:
    """The counterpart says yes; it takes effect now unless the rotation wants approval."""
    if person.id != swap.counterpart_person_id:
        raise Forbidden("only the counterpart can accept this swap")
    if swap.status != PENDING:
        raise Conflict(f"swap is {swap.status}, not pending")
    if _rotation_of(session, swap).swap_requires_approval:
        _verified(session, swap=swap, now=now)
    else:
        _carry_out(session, swap=swap, now=now)
    swap.accepted_at = now
    return _set_status(session, swap=swap, status=ACCEPTED, actor=person, now=now)


def decline(session: Session, *, swap: SwapRequest, person: Person, now: datetime) -> SwapRequest:
    """The counterpart says no."""
    if person.id != swap.counterpart_person_id:
        raise Forbidden("only the counterpart can decline this swap")
    if swap.status != PENDING:
        raise Conflict(f"swap is {swap.status}, not pending")
    return _set_status(session, swap=swap, status=DECLINED, actor=person, now=now)


def cancel(session: Session, *, swap: SwapRequest, person: Person, now: datetime) -> SwapRequest:
    """The requester withdraws it, while it has not taken effect."""
    if person.id != swap.requester_id:
        raise Forbidden("only the requester can cancel this swap")
    awaiting_approval = (
        swap.status == ACCEPTED and _rotation_of(session, swap).swap_requires_approval
    )
    if swap.status != PENDING and not awaiting_approval:
        raise Conflict(f"swap is {swap.status} and can no longer be cancelled")
    return _set_status(session, swap=swap, status=CANCELLED, actor=person, now=now)


def approve(session: Session, *, swap: SwapRequest, person: Person, now: datetime) -> SwapRequest:
    """A manager of the rotation approves an accepted swap; it takes effect now."""
    rotation = _rotation_of(session, swap)
    if not access.is_manager(session, person=person, rotation=rotation):
        raise Forbidden("only a manager of this rotation can approve swaps")
    if not rotation.swap_requires_approval:
        raise Conflict("this rotation does not ask for approval; accepted swaps already apply")
    if swap.status != ACCEPTED:
        raise Conflict(f"swap is {swap.status}; only an accepted swap can be approved")
    _carry_out(session, swap=swap, now=now)
    swap.approved_by_id = person.id
    return _set_status(session, swap=swap, status=APPROVED, actor=person, now=now)


def list_swaps(session: Session, *, viewer: Person, status: str | None = None) -> list[SwapRequest]:
    """Swaps the viewer is in, plus those of rotations they manage (admins: all); newest first."""
    query = select(SwapRequest).order_by(SwapRequest.created_at.desc(), SwapRequest.id.desc())
    if status is not None:
        if status not in STATUSES:
            raise Invalid(f"status must be one of {', '.join(STATUSES)}")
        query = query.where(SwapRequest.status == status)
    if not viewer.is_admin:
        managed = access.managed_rotation_ids(session, person=viewer)
        mine = or_(
            SwapRequest.requester_id == viewer.id,
            SwapRequest.counterpart_person_id == viewer.id,
        )
        if managed:
            in_managed = SwapRequest.shift_id.in_(
                select(Shift.id).where(Shift.rotation_id.in_(managed))
            )
            query = query.where(or_(mine, in_managed))
        else:
            query = query.where(mine)
    return list(session.scalars(query))


def can_see(session: Session, *, swap: SwapRequest, viewer: Person) -> bool:
    """True for the two people in the swap and for managers of its rotation."""
    if viewer.id in (swap.requester_id, swap.counterpart_person_id):
        return True
    return access.is_manager(session, person=viewer, rotation=_rotation_of(session, swap))
