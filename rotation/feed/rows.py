"""Shift rows as the feed queries read them, and how one becomes a feed shift."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, TypeAlias

from sqlalchemy import Row

from core.records import copied
from rotation.feed.render import FeedShift
from rotation.models import Rotation, Shift

# Result rows of the feed queries, read by column name.
AnyRow: TypeAlias = Row[*tuple[Any, ...]]


@dataclass(frozen=True, slots=True)
class RotationFacts:
    """What a feed needs of a shift's rotation."""

    slug: str
    name: str
    timezone: str
    people_per_shift: int
    horizon_days: int
    archived: bool
    updated_at: datetime

    @classmethod
    def of(cls, rotation: Rotation) -> RotationFacts:
        return copied(cls, rotation)

    @classmethod
    def from_row(cls, row: AnyRow) -> RotationFacts:
        """From a row holding ``rotation_columns()``."""
        return copied(cls, row, prefix="rotation_")


def cancellation(
    row: AnyRow, *, rotation: RotationFacts, start: datetime
) -> tuple[bool, datetime, int] | None:
    """(cancelled, modified_at, sequence) of a shift row, or None when it left the window.

    A shift of an archived rotation counts as cancelled from the archiving on, even before
    its own row says so, one sequence higher so clients take the change.
    """
    shown = row.sequence + row.feed_revision
    if row.cancelled_at is not None:
        if row.cancelled_at < start:
            return None
        return True, max(row.updated_at, row.cancelled_at), shown
    if rotation.archived:
        if rotation.updated_at < start:
            return None
        return True, max(row.updated_at, rotation.updated_at), shown + 1
    return False, row.updated_at, shown


def shift_columns() -> tuple[Any, ...]:
    return (
        Shift.id,
        Shift.uid,
        Shift.rotation_id,
        # Rows are sequences, whose ``index`` is a method: label the column apart.
        Shift.index.label("cadence_index"),
        Shift.slot,
        Shift.kind,
        Shift.role,
        Shift.start,
        Shift.end,
        Shift.sequence,
        Shift.feed_revision,
        Shift.created_at,
        Shift.updated_at,
        Shift.cancelled_at,
        Shift.why,
    )


def rotation_columns() -> tuple[Any, ...]:
    return tuple(
        getattr(Rotation, field.name).label(f"rotation_{field.name}")
        for field in fields(RotationFacts)
    )


def why_facts(why: Mapping[str, Any] | None) -> tuple[tuple[str, object], ...] | None:
    """``Shift.why`` as a value a feed shift can hold (and be memoised by)."""
    if not why:
        return None
    return tuple(sorted((str(key), value) for key, value in why.items()))


def feed_shift(
    row: AnyRow,
    *,
    rotation: RotationFacts,
    cancelled: bool,
    modified_at: datetime,
    sequence: int,
    released: bool = False,
    assignee: str | None = None,
    on_shift: tuple[str, ...] = (),
    handover_from: tuple[str, ...] | None = None,
    handover_to: tuple[str, ...] | None = None,
    covering_for: str | None = None,
    shadowing: str | None = None,
) -> FeedShift:
    return FeedShift(
        shift_id=row.id,
        uid=row.uid,
        rotation_slug=rotation.slug,
        rotation_name=rotation.name,
        timezone=rotation.timezone,
        slot=row.slot,
        people_per_shift=rotation.people_per_shift,
        start=row.start,
        end=row.end,
        sequence=sequence,
        created_at=row.created_at,
        modified_at=modified_at,
        cancelled=cancelled,
        released=released,
        assignee=assignee,
        on_shift=on_shift,
        handover_from=handover_from,
        handover_to=handover_to,
        covering_for=covering_for,
        shadowing=shadowing,
        why=None if cancelled or row.kind != "scheduled" else why_facts(row.why),
    )
