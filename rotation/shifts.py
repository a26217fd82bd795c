"""Changes to shift rows that keep the calendar-feed contract.

Whenever a live shift's person, start or end changes its ``sequence`` grows by one and
``updated_at`` moves to now; whoever loses a shift gets a ``ShiftRelease`` so their feed can
show it cancelled. Published rows are never deleted: a removed shift is marked cancelled.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, joinedload

from core.errors import NotFound
from rotation.models import Shift, ShiftRelease

SCHEDULED = "scheduled"
OVERRIDE = "override"
SWAP = "swap"

# Shift roles: a primary shift is coverage; a shadow shift seats a learner beside one.
PRIMARY_ROLE = "primary"
SHADOW_ROLE = "shadow"


def new_uid(*, rotation_id: int, index: int, slot: int) -> str:
    """A calendar UID, unique and stable for the row's whole life.

    The rotation, index and slot place the shift; the random suffix keeps a shift cut or
    re-created in the same slot apart from the one before it (six random bytes, without
    building a whole UUID to keep twelve of its digits).
    """
    return f"shift-{rotation_id}-{index}-{slot}-{secrets.token_hex(6)}@allhands"


def _touch(shift: Shift, now: datetime) -> None:
    shift.sequence += 1
    shift.updated_at = now


def give_to(
    session: Session,
    *,
    shift: Shift,
    person_id: int | None,
    kind: str,
    now: datetime,
    releases: list[dict[str, object]] | None = None,
    cover: bool = False,
) -> bool:
    """Hand ``shift`` to ``person_id`` (None leaves it uncovered); False if nothing changed.

    Bulk callers pass ``releases`` to collect the release rows and insert them in one go
    (see ``insert_releases``); otherwise each is added to the session. ``cover``: the new
    holder covers for the previous one, who owes it (``ShiftRelease.cover``).
    """
    previous = shift.person_id
    if previous == person_id:
        return False
    shift.person_id = person_id
    shift.kind = kind
    _touch(shift, now)
    if previous is not None:
        _release(
            session,
            shift=shift,
            person_id=previous,
            now=now,
            releases=releases,
            cover=cover and person_id is not None,
        )
    return True


def cancel(
    session: Session,
    *,
    shift: Shift,
    now: datetime,
    releases: list[dict[str, object]] | None = None,
) -> None:
    """Withdraw a published shift: the row stays, marked cancelled, for calendar clients."""
    shift.cancelled_at = now
    _touch(shift, now)
    if shift.person_id is not None:
        _release(session, shift=shift, person_id=shift.person_id, now=now, releases=releases)


def _release(
    session: Session,
    *,
    shift: Shift,
    person_id: int,
    now: datetime,
    releases: list[dict[str, object]] | None,
    cover: bool = False,
) -> None:
    row: dict[str, object] = {
        "shift_id": shift.id,
        "person_id": person_id,
        "sequence": shift.sequence,
        "released_at": now,
        "cover": cover,
        "repaid_by_shift_id": None,
    }
    if releases is None:
        session.add(ShiftRelease(**row))
    else:
        releases.append(row)


def insert_releases(session: Session, releases: list[dict[str, object]]) -> None:
    """Insert collected release rows with one statement."""
    if releases:
        session.execute(insert(ShiftRelease), releases)


def split(session: Session, *, shift: Shift, at: datetime, now: datetime) -> Shift:
    """Cut ``shift`` at ``at``: the row keeps [start, at), a new row takes [at, end)."""
    assert shift.start < at < shift.end, "a split point must fall inside the shift"
    piece = Shift(
        rotation_id=shift.rotation_id,
        index=shift.index,
        slot=shift.slot,
        start=at,
        end=shift.end,
        person_id=shift.person_id,
        kind=shift.kind,
        role=shift.role,
        sequence=0,
        uid=new_uid(rotation_id=shift.rotation_id, index=shift.index, slot=shift.slot),
        created_at=now,
        updated_at=now,
    )
    shift.end = at
    _touch(shift, now)
    session.add(piece)
    session.flush()
    return piece


def by_id(session: Session, shift_ids: Collection[int]) -> dict[int, Shift]:
    """Shifts by id with rotation and person loaded, in one query.

    Unlike ``load`` it leaves rows already in the session as they are, so a page holding a
    rotation with its managers loaded keeps them.
    """
    if not shift_ids:
        return {}
    return {
        shift.id: shift
        for shift in session.scalars(
            select(Shift)
            .where(Shift.id.in_(sorted(shift_ids)))
            .options(joinedload(Shift.rotation), joinedload(Shift.person))
        )
    }


def load(session: Session, shift_ids: list[int]) -> list[Shift]:
    """Shifts by id with rotation and person loaded, fresh from the database, by start."""
    if not shift_ids:
        return []
    return list(
        session.scalars(
            select(Shift)
            .where(Shift.id.in_(shift_ids))
            .options(joinedload(Shift.rotation), joinedload(Shift.person))
            .order_by(Shift.start, Shift.slot, Shift.id)
            .execution_options(populate_existing=True)
        )
    )


def get(session: Session, shift_id: int) -> Shift:
    """One shift with rotation and person loaded; NotFound if there is no such shift."""
    found = load(session, [shift_id])
    if not found:
        raise NotFound(f"shift {shift_id} not found")
    return found[0]
