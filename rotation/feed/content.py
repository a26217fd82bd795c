"""What a calendar feed shows, read from the database with a fixed number of queries.

A feed covers the window from 30 days back (to the day) to the rotation's horizon. A person's
feed holds their live shifts, their shifts that were removed (cadence change, rotation
archived) and the shifts they lost (swap, override, reassignment) in the last 30 days, the
last two as cancelled events. A rotation's feed holds every shift of the rotation, removed
ones as cancelled events for 30 days. ``rotation.feed.fingerprint`` tells cheaply when any
of this may have changed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select, tuple_
from sqlalchemy.orm import Session

from core.models import Person
from rotation.feed import handovers
from rotation.feed.render import FeedShift
from rotation.feed.rows import (
    AnyRow,
    RotationFacts,
    cancellation,
    feed_shift,
    rotation_columns,
    shift_columns,
)
from rotation.models import Rotation, Shift, ShiftRelease

# How far back a feed reaches; a removed or lost shift stays as a cancelled event as long.
DAYS_BACK = timedelta(days=30)
# A feed ends at its rotation's horizon (at most two years ahead) and holds at most this many
# shifts, the earliest first: calendar clients give up on larger feeds long before this, and
# a feed request stays a bounded amount of work whatever a rotation holds.
MAX_FEED_SHIFTS = 5_000
_LONGEST_HORIZON = timedelta(days=731)


@dataclass(frozen=True, slots=True)
class RotationRef:
    slug: str
    name: str


@dataclass(frozen=True, slots=True)
class RotationFeed:
    """A rotation's feed content: the rotation and its shifts in the window."""

    slug: str
    name: str
    timezone: str
    archived: bool
    shifts: list[FeedShift]


def window_start(now: datetime) -> datetime:
    """The first instant a feed covers: midnight UTC of the day 30 days before ``now``.

    Whole days keep a feed's bytes unchanged through the day, so caches and ETags hold.
    """
    day = (now.astimezone(UTC) - DAYS_BACK).date()
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _horizon_end(start: datetime, horizon_days: int) -> datetime:
    # The window's day plus the horizon, rounded up to a whole day past "now + horizon".
    return start + DAYS_BACK + timedelta(days=horizon_days + 1)


def feed_rotations(session: Session) -> list[RotationRef]:
    """Rotations that offer a feed (every rotation not archived), by name."""
    rows = session.execute(
        select(Rotation.slug, Rotation.name)
        .where(Rotation.archived.is_(False))
        .order_by(Rotation.name, Rotation.slug)
    )
    return [RotationRef(slug=slug, name=name) for slug, name in rows]


def rotation_feed(session: Session, *, slug: str, now: datetime) -> RotationFeed | None:
    """Every shift of the rotation in the feed window (two queries, three with overrides or
    swaps); None for an unknown slug."""
    rotation = session.scalars(select(Rotation).where(Rotation.slug == slug)).one_or_none()
    if rotation is None:
        return None
    start = window_start(now)
    facts = RotationFacts.of(rotation)
    rows = session.execute(
        select(*shift_columns(), Person.name.label("person_name"))
        .outerjoin(Person, Person.id == Shift.person_id)
        .where(
            Shift.rotation_id == rotation.id,
            Shift.end > start,
            Shift.start < _horizon_end(start, rotation.horizon_days),
            or_(Shift.cancelled_at.is_(None), Shift.cancelled_at >= start),
        )
        .order_by(Shift.start, Shift.slot, Shift.id)
        .limit(MAX_FEED_SHIFTS)
    ).all()
    live_by_index: dict[tuple[int, ...], list[AnyRow]] = defaultdict(list)
    for row in rows:
        if row.cancelled_at is None and not rotation.archived:
            live_by_index[(row.cadence_index,)].append(row)
    covers = handovers.covered_for(
        session, shift_ids=[r.id for r in rows if r.kind in handovers.COVER_KINDS]
    )
    shifts: list[FeedShift] = []
    for row in rows:
        shift = _shown(
            row,
            rotation=facts,
            start=start,
            live=live_by_index,
            prefix=(),
            covers=covers,
            name="person_name",
        )
        if shift is not None:
            shifts.append(shift)
    return RotationFeed(
        slug=rotation.slug,
        name=rotation.name,
        timezone=rotation.timezone,
        archived=rotation.archived,
        shifts=shifts,
    )


def person_feed(session: Session, *, person_id: int, now: datetime) -> list[FeedShift]:
    """The person's shifts in every rotation, plus cancellations (three queries, four with
    overrides or swaps)."""
    start = window_start(now)
    own = session.execute(
        select(*shift_columns(), *rotation_columns())
        .join(Rotation, Rotation.id == Shift.rotation_id)
        .where(
            Shift.person_id == person_id,
            Shift.end > start,
            Shift.start < start + DAYS_BACK + _LONGEST_HORIZON,
            or_(Shift.cancelled_at.is_(None), Shift.cancelled_at >= start),
        )
        .order_by(Shift.start, Shift.id)
        .limit(MAX_FEED_SHIFTS)
    ).all()
    together = _shift_mates(session, person_id=person_id, start=start)
    covers = handovers.covered_for(
        session, shift_ids=[r.id for r in own if r.kind in handovers.COVER_KINDS]
    )
    shifts: list[FeedShift] = []
    shown: set[int] = set()
    for row in own:
        shift = _own_shift(row, person_id=person_id, together=together, covers=covers, start=start)
        if shift is not None:
            shown.add(row.id)
            shifts.append(shift)
    shifts.extend(_released(session, person_id=person_id, start=start, shown=shown))
    return shifts


def _shift_mates(
    session: Session, *, person_id: int, start: datetime
) -> dict[tuple[int, ...], list[AnyRow]]:
    """Everyone on the same shifts and the shifts either side, named in the descriptions:
    every live slot of a (rotation, cadence index) one of the person's shifts has, or is next
    to; the same shift's slots are matched by overlap later."""
    theirs = select(Shift.rotation_id, Shift.index).where(
        Shift.person_id == person_id, Shift.cancelled_at.is_(None), Shift.end > start
    )
    near = or_(*(tuple_(Shift.rotation_id, Shift.index + step).in_(theirs) for step in (-1, 0, 1)))
    together: dict[tuple[int, ...], list[AnyRow]] = defaultdict(list)
    for colleague in session.execute(
        select(
            Shift.rotation_id,
            Shift.index.label("cadence_index"),
            Shift.slot,
            Shift.role,
            Shift.start,
            Shift.end,
            Shift.updated_at,
            Shift.person_id,
            Person.name,
        )
        .outerjoin(Person, Person.id == Shift.person_id)
        .where(near, Shift.cancelled_at.is_(None), Shift.end > start - DAYS_BACK)
        .order_by(Shift.start, Shift.slot, Shift.id)
    ):
        together[(colleague.rotation_id, colleague.cadence_index)].append(colleague)
    return together


def _own_shift(
    row: AnyRow,
    *,
    person_id: int,
    together: dict[tuple[int, ...], list[AnyRow]],
    covers: Mapping[int, str],
    start: datetime,
) -> FeedShift | None:
    """One of the person's own rows as a feed shift, or None when the feed leaves it out."""
    facts = RotationFacts.from_row(row)
    if row.start >= _horizon_end(start, facts.horizon_days):
        return None
    return _shown(
        row,
        rotation=facts,
        start=start,
        live=together,
        prefix=(row.rotation_id,),
        covers=covers,
        name="name",
        person_id=person_id,
    )


def _shown(
    row: AnyRow,
    *,
    rotation: RotationFacts,
    start: datetime,
    live: dict[tuple[int, ...], list[AnyRow]],
    prefix: tuple[int, ...],
    covers: Mapping[int, str],
    name: str,
    person_id: int | None = None,
) -> FeedShift | None:
    """A row as a feed shift, or None when it left the window.

    A live shift names who is on it and who hands over, from the live rows by ``prefix`` and
    cadence index (``name`` is their name column). In a person's feed (``person_id``) the
    assignee is that person while the shift is live; in a rotation's, the row's holder.
    """
    state = cancellation(row, rotation=rotation, start=start)
    if state is None:
        return None
    cancelled, modified_at, sequence = state
    if cancelled:
        return feed_shift(
            row,
            rotation=rotation,
            cancelled=True,
            modified_at=modified_at,
            sequence=sequence,
            assignee=getattr(row, name) if person_id is None else None,
        )
    together = [
        other
        for other in live[(*prefix, row.cadence_index)]
        if other.start < row.end and other.end > row.start
    ]
    return feed_shift(
        row,
        rotation=rotation,
        cancelled=False,
        modified_at=max([modified_at, *(other.updated_at for other in together)]),
        sequence=sequence,
        assignee=getattr(row, name)
        if person_id is None
        else next((o.name for o in together if o.person_id == person_id), None),
        on_shift=tuple(getattr(o, name) for o in together if getattr(o, name) is not None),
        **handovers.context(row, live, prefix, covers, name=name),
    )


def _released(
    session: Session, *, person_id: int, start: datetime, shown: set[int]
) -> list[FeedShift]:
    """Shifts the person lost in the last 30 days and does not have again, as cancelled."""
    rows = session.execute(
        select(
            *shift_columns(),
            *rotation_columns(),
            Shift.person_id,
            ShiftRelease.sequence.label("released_sequence"),
            ShiftRelease.released_at,
        )
        .join(Shift, Shift.id == ShiftRelease.shift_id)
        .join(Rotation, Rotation.id == Shift.rotation_id)
        .where(
            ShiftRelease.person_id == person_id,
            ShiftRelease.released_at >= start,
            Shift.end > start,
        )
        .order_by(ShiftRelease.shift_id, ShiftRelease.sequence.desc(), ShiftRelease.id.desc())
    ).all()
    released: list[FeedShift] = []
    for row in rows:
        if row.id in shown or row.person_id == person_id:
            continue
        facts = RotationFacts.from_row(row)
        if row.start >= _horizon_end(start, facts.horizon_days):
            continue
        shown.add(row.id)  # rows come latest release first: keep only that one
        released.append(
            feed_shift(
                row,
                rotation=facts,
                cancelled=True,
                released=True,
                modified_at=row.released_at,
                # Renames after the release raise the revision, never lower it.
                sequence=row.released_sequence + row.feed_revision,
            )
        )
    return released
