"""What a shift's event says about the people around it: who hands over to whom, and whom an
override or swap covers for. Plain helpers over rows ``rotation.feed.content`` already read,
plus one query for the covers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Person
from rotation import shadowing
from rotation.models import ShiftRelease
from rotation.shifts import SHADOW_ROLE

# Shift kinds that took the shift from someone (shift.kind; "scheduled" took it from nobody).
COVER_KINDS = frozenset({"override", "swap"})


def names(rows: Sequence[Any] | None, *, name: str) -> tuple[str, ...] | None:
    """The names on a neighbouring shift's live slots; None when it is outside the window."""
    if not rows:
        return None
    return tuple(getattr(row, name) for row in rows if getattr(row, name) is not None)


def around(
    live_by_index: Mapping[Any, Sequence[Any]], key: Any, index: int, *, name: str
) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    """(who hands over to the shift at ``index``, to whom it hands over) in one rotation."""
    return (
        names(live_by_index.get((*key, index - 1)), name=name),
        names(live_by_index.get((*key, index + 1)), name=name),
    )


def context(
    row: Any,
    live_by_index: Mapping[Any, Sequence[Any]],
    key: tuple[int, ...],
    covers: Mapping[int, str],
    *,
    name: str,
) -> dict[str, Any]:
    """The handover and cover facts of a live shift's event, as ``FeedShift`` fields."""
    handover_from, handover_to = around(live_by_index, key, row.cadence_index, name=name)
    return {
        "handover_from": handover_from,
        "handover_to": handover_to,
        "covering_for": covers.get(row.id),
        "shadowing": _shadowed(row, live_by_index.get((*key, row.cadence_index), ()), name=name),
    }


def _shadowed(row: Any, same_shift: Sequence[Any], *, name: str) -> str | None:
    """Whom a shadow shift's person sits beside; None for a primary shift."""
    if row.role != SHADOW_ROLE:
        return None
    return shadowing.shadowed_names(
        (row.cadence_index, row.slot, row.start, row.end),
        [
            (other.cadence_index, other.slot, other.start, other.end, getattr(other, name))
            for other in same_shift
            if other.role != SHADOW_ROLE
        ],
    )


def covered_for(session: Session, *, shift_ids: Iterable[int]) -> dict[int, str]:
    """Whom each overridden or swapped shift was taken from: its latest release (one query)."""
    ids = sorted(set(shift_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(ShiftRelease.shift_id, Person.name)
        .join(Person, Person.id == ShiftRelease.person_id)
        .where(ShiftRelease.shift_id.in_(ids))
        .order_by(ShiftRelease.shift_id, ShiftRelease.released_at, ShiftRelease.id)
    )
    # Later rows overwrite earlier ones: the latest release wins.
    return {shift_id: person_name for shift_id, person_name in rows}
