"""A member's stage: shadow → (reverse shadow →) primary, moved on graduation or by hand.

Graduating joins the primaries at the current fairness level (the others' minimum count),
so nothing already published changes hands; only open slots and new shifts come their way.
Whether someone is ready to graduate (their reading) is decided in ``onboarding.graduation``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from core import audit
from core.errors import Conflict, NotFound
from core.models import Person
from rotation import generation, members, reassignment, shadow_pairing, shadowing
from rotation import shifts as shift_rows
from rotation.models import Rotation, RotationMember, Shift


def get_member(session: Session, *, rotation: Rotation, person_id: int) -> RotationMember:
    """The current membership of ``person_id`` (person loaded); NotFound otherwise."""
    member = session.scalars(
        select(RotationMember)
        .where(
            RotationMember.rotation_id == rotation.id,
            RotationMember.person_id == person_id,
            RotationMember.left_at.is_(None),
        )
        .options(joinedload(RotationMember.person))
    ).one_or_none()
    if member is None:
        raise NotFound(f"person {person_id} is not a member of rotation {rotation.slug!r}")
    return member


def shadow_shifts_done(
    session: Session, *, rotation_id: int, person_ids: list[int], now: datetime
) -> dict[int, int]:
    """How many shadow shifts each person has finished in the rotation (one query)."""
    if not person_ids:
        return {}
    rows = session.execute(
        select(Shift.person_id, func.count())
        .join(
            RotationMember,
            (RotationMember.rotation_id == Shift.rotation_id)
            & (RotationMember.person_id == Shift.person_id)
            & RotationMember.left_at.is_(None),
        )
        .where(
            Shift.rotation_id == rotation_id,
            Shift.person_id.in_(person_ids),
            Shift.role == shift_rows.SHADOW_ROLE,
            Shift.cancelled_at.is_(None),
            Shift.end <= now,
            Shift.start >= RotationMember.joined_at,
        )
        .group_by(Shift.person_id)
    )
    return {person_id: count for person_id, count in rows if person_id is not None}


def change(
    session: Session,
    *,
    rotation: Rotation,
    member: RotationMember,
    stage: str | None,
    held: bool | None,
    now: datetime,
    actor: Person | None,
    reason: str,
) -> RotationMember:
    """Move ``member`` to ``stage`` and/or set their graduation hold; audited."""
    if rotation.archived:
        raise Conflict("rotation is archived")
    generation.lock(session, rotation.id)
    before = {"stage": member.stage, "graduation_held": member.graduation_held}
    if held is not None:
        member.graduation_held = held
    if stage is not None and stage != member.stage:
        _move(session, rotation=rotation, member=member, stage=stage, now=now, actor=actor)
    after = {"stage": member.stage, "graduation_held": member.graduation_held}
    session.flush()
    audit.Trail(session, actor=actor, at=now).record(
        "rotation.member_stage",
        ("rotation", rotation.id),
        before={"person_id": member.person_id, **before},
        after={"person_id": member.person_id, **after},
        note=reason,
    )
    return member


def _move(
    session: Session,
    *,
    rotation: Rotation,
    member: RotationMember,
    stage: str,
    now: datetime,
    actor: Person | None,
) -> None:
    """Joining the primaries credits the current minimum count and withdraws the seats
    still ahead; going back to shadow hands the member's primary shifts ahead to others."""
    was_shadow = member.stage == shadowing.SHADOW
    member.stage = stage
    if stage == shadowing.SHADOW:
        ahead = [
            shift
            for shift in reassignment.shifts_of(
                session, person_id=member.person_id, after=now, rotation_id=rotation.id
            )
            if shift.role == shift_rows.PRIMARY_ROLE
        ]
        session.flush()
        reassignment.release(session, shifts=ahead, now=now, actor=actor, reason="back to shadow")
        shadow_pairing.pair(session, rotation=rotation, now=now, actor=actor)
        return
    if not was_shadow:
        return
    member.graduation_held = False
    member.count_offset = members.join_credit(session, rotation=rotation, member=member)
    releases: list[dict[str, object]] = []
    for shift in shadow_pairing.shadow_rows(session, rotation_id=rotation.id):
        if shift.person_id == member.person_id and shift.start > now:
            shift_rows.cancel(session, shift=shift, now=now, releases=releases)
    session.flush()
    shift_rows.insert_releases(session, releases)
    generation.reschedule(session, rotation=rotation, now=now, actor=actor, reason="graduated")
