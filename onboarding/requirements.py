"""Use cases for rotation requirements: which card sets a rotation's people read, and when."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core import audit
from core.errors import Invalid, NotFound
from core.models import Person
from onboarding.models import CardSet, RotationRequirement
from onboarding.schemas import RequirementsPut
from rotation.models import Rotation


@dataclass(frozen=True)
class RequirementView:
    requirement: RotationRequirement
    card_set_name: str


def get_rotation(session: Session, *, slug: str) -> Rotation:
    """The rotation with this slug, or NotFound."""
    rotation = session.scalars(select(Rotation).where(Rotation.slug == slug)).first()
    if rotation is None:
        raise NotFound(f"rotation {slug} not found")
    return rotation


def list_requirements(session: Session, *, rotation: Rotation) -> list[RequirementView]:
    """The rotation's requirements in the order they were set (one query)."""
    rows = session.execute(
        select(RotationRequirement, CardSet.name)
        .join(CardSet, CardSet.id == RotationRequirement.card_set_id)
        .where(RotationRequirement.rotation_id == rotation.id)
        .order_by(RotationRequirement.id)
    )
    return [RequirementView(requirement, name) for requirement, name in rows]


def _snapshot(views: list[RequirementView]) -> dict[str, Any]:
    return {
        "requirements": [
            {
                "card_set_id": v.requirement.card_set_id,
                "assign_days_before": v.requirement.assign_days_before,
                "due_days_before": v.requirement.due_days_before,
            }
            for v in views
        ]
    }


def set_requirements(
    session: Session,
    *,
    rotation: Rotation,
    data: RequirementsPut,
    now: datetime,
    actor: Person | None,
) -> list[RequirementView]:
    """Replace the rotation's requirements; their order is the order given.

    Unknown or repeated card sets are Invalid and leave the old requirements untouched.
    """
    wanted = [r.card_set_id for r in data.requirements]
    repeated = sorted(card_set_id for card_set_id, n in Counter(wanted).items() if n > 1)
    if repeated:
        raise Invalid(
            f"card sets appear more than once: {', '.join(map(str, repeated))}",
            duplicate_card_set_ids=repeated,
        )
    known = set(session.scalars(select(CardSet.id).where(CardSet.id.in_(wanted))))
    unknown = sorted(set(wanted) - known)
    if unknown:
        raise Invalid(
            f"unknown card set ids: {', '.join(map(str, unknown))}", unknown_card_set_ids=unknown
        )
    before = _snapshot(list_requirements(session, rotation=rotation))
    # Requirement order is id order: replacing the rows keeps the order the manager gave.
    session.execute(
        delete(RotationRequirement).where(RotationRequirement.rotation_id == rotation.id)
    )
    session.flush()
    session.add_all(
        RotationRequirement(
            rotation_id=rotation.id,
            card_set_id=r.card_set_id,
            assign_days_before=r.assign_days_before,
            due_days_before=r.due_days_before,
            created_at=now,
        )
        for r in data.requirements
    )
    session.flush()
    views = list_requirements(session, rotation=rotation)
    audit.Trail(session, actor=actor, at=now).record_change(
        "rotation.requirements.set",
        ("rotation", rotation.id),
        before=before,
        after=_snapshot(views),
    )
    return views


def rotations_requiring(session: Session) -> dict[int, list[Rotation]]:
    """Per card set id, the live rotations that require it, by name (one query).

    Card sets no rotation requires are absent.
    """
    rows = session.execute(
        select(RotationRequirement.card_set_id, Rotation)
        .join(Rotation, Rotation.id == RotationRequirement.rotation_id)
        .where(Rotation.archived.is_(False))
        .order_by(Rotation.name, Rotation.id)
    )
    result: dict[int, list[Rotation]] = {}
    for card_set_id, rotation in rows:
        result.setdefault(card_set_id, []).append(rotation)
    return result
