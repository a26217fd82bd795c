"""Read the database back for assertions: live shifts, and snapshots of everything a request
may write, to prove that a refused one changed nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import AuditEvent
from kb_links.models import Card, CardRevision
from onboarding.models import Acknowledgement, CardSet, CardSetItem, RotationRequirement
from rotation.models import (
    Rotation,
    RotationMember,
    Shift,
    ShiftRelease,
    SwapRequest,
    TimeOff,
    rotation_manager,
)

# Every table an onboarding request may write to.
ONBOARDING_TABLES = (CardSet, CardSetItem, RotationRequirement, Acknowledgement, AuditEvent)
ROTATION_TABLES = (Rotation, RotationMember, Shift, ShiftRelease, SwapRequest, TimeOff, AuditEvent)


def count_rows(session: Session, *models: Any) -> dict[str, int]:
    """Rows per model (by class name), read fresh from the database."""
    session.expire_all()
    return {
        model.__name__: session.scalar(select(func.count()).select_from(model)) or 0
        for model in models
    }


def row_counts(session: Session) -> dict[str, int]:
    """Rows per onboarding table."""
    return count_rows(session, *ONBOARDING_TABLES)


def live_shifts(session: Session, rotation: Rotation) -> list[Shift]:
    session.expire_all()
    return list(
        session.scalars(
            select(Shift)
            .where(Shift.rotation_id == rotation.id, Shift.cancelled_at.is_(None))
            .order_by(Shift.start, Shift.slot)
        )
    )


def all_shifts(session: Session, rotation: Rotation) -> list[Shift]:
    session.expire_all()
    return list(
        session.scalars(
            select(Shift).where(Shift.rotation_id == rotation.id).order_by(Shift.start, Shift.id)
        )
    )


def _rows(session: Session, *columns: Any) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in session.execute(select(*columns).order_by(columns[0]))]


def fingerprint(session: Session) -> dict[str, object]:
    """Everything a rotation request could touch."""
    return {
        **count_rows(session, *ROTATION_TABLES),
        "managers": session.scalar(select(func.count()).select_from(rotation_manager)),
        "shifts": _rows(
            session,
            Shift.id,
            Shift.person_id,
            Shift.start,
            Shift.end,
            Shift.sequence,
            Shift.cancelled_at,
        ),
        "rotations": _rows(
            session, Rotation.id, Rotation.version, Rotation.name, Rotation.shift_days
        ),
        "members": _rows(
            session, RotationMember.id, RotationMember.position, RotationMember.left_at
        ),
        "swaps": _rows(session, SwapRequest.id, SwapRequest.status),
    }


def table_state(session: Session) -> tuple[int, int, int, list[tuple[Any, ...]]]:
    """Counts of cards, revisions and audit events plus every card's editable columns."""
    counts = count_rows(session, Card, CardRevision, AuditEvent)
    cards = _rows(
        session,
        Card.id,
        Card.title,
        Card.url,
        Card.source,
        Card.external_id,
        Card.version,
        Card.verify_every_days,
        Card.verifier_id,
        Card.last_verified_at,
        Card.archived,
    )
    return counts["Card"], counts["CardRevision"], counts["AuditEvent"], cards
