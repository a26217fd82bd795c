"""Cheap fingerprints of what a calendar feed is built from, one aggregate query each.

Shifts only ever change by bumping ``sequence`` (and ``updated_at``), by being added, or by
being cancelled, so a count, the sums of sequences and versions and the latest change times
move whenever a feed's content can; a cache keyed by the fingerprint is rebuilt exactly then.
Person names are not covered: a renamed person shows in other people's feeds from the next
change of their rotations, or the next day's window, on.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import func, select, union
from sqlalchemy.orm import Session

from rotation.models import Rotation, Shift, ShiftRelease


def _digest(values: tuple[Any, ...]) -> str:
    return hashlib.blake2b(repr(values).encode(), digest_size=12).hexdigest()


def _shift_aggregates() -> tuple[Any, ...]:
    return (
        func.count(Shift.id),
        func.coalesce(func.sum(Shift.sequence), 0),
        func.coalesce(func.sum(Shift.feed_revision), 0),
        func.max(Shift.updated_at),
        func.max(Shift.cancelled_at),
        func.max(Shift.id),
    )


def rotation_fingerprint(session: Session, *, slug: str) -> str | None:
    """A digest that changes whenever the rotation's feed can; None for an unknown slug."""
    row = session.execute(
        select(Rotation.id, Rotation.version, Rotation.updated_at, *_shift_aggregates())
        .outerjoin(Shift, Shift.rotation_id == Rotation.id)
        .where(Rotation.slug == slug)
        .group_by(Rotation.id, Rotation.version, Rotation.updated_at)
    ).one_or_none()
    return None if row is None else _digest(tuple(row))


def person_fingerprint(session: Session, *, person_id: int) -> str:
    """A digest that changes whenever the person's feed can (one query).

    It covers every shift of every rotation the person has or had a shift in: co-workers
    named in the description and cancellations live there too.
    """
    their_rotations = union(
        select(Shift.rotation_id).where(Shift.person_id == person_id),
        select(Shift.rotation_id)
        .join(ShiftRelease, ShiftRelease.shift_id == Shift.id)
        .where(ShiftRelease.person_id == person_id),
    )
    releases = (
        select(func.count(ShiftRelease.id))
        .where(ShiftRelease.person_id == person_id)
        .scalar_subquery()
    )
    row = session.execute(
        select(
            *_shift_aggregates(),
            func.coalesce(func.sum(Rotation.version), 0),
            func.max(Rotation.updated_at),
            releases,
        )
        .select_from(Shift)
        .join(Rotation, Rotation.id == Shift.rotation_id)
        .where(Shift.rotation_id.in_(select(their_rotations.subquery().c.rotation_id)))
    ).one()
    return _digest(tuple(row))
