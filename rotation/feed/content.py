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
from typing import Any, TypeAlias

from sqlalchemy import Row, or_, select, tuple_
from sqlalchemy.orm import Session

from core.models import Person
from rotation import why_line
from rotation.feed import handovers
from rotation.feed.render import FeedShift
from rotation.models import Rotation, Shift, ShiftRelease

# Result rows of the feed queries, read by column name.
AnyRow: TypeAlias = Row[*tuple[Any, ...]]

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


@dataclass(frozen=True, slots=True)
class _RotationFacts:
    """What a feed needs of a shift's rotation."""

    slug: str
    name: str
    timezone: str
    people_per_shift: int
    horizon_days: int
    archived: bool
    updated_at: datetime

    @classmethod
    def of(cls, rotation: Rotation) -> _RotationFacts:
        return cls(
            slug=rotation.slug,
            name=rotation.name,
            timezone=rotation.timezone,
            people_per_shift=rotation.people_per_shift,
            horizon_days=rotation.horizon_days,
            archived=rotation.archived,
            updated_at=rotation.updated_at,
        )

    @classmethod
    def from_row(cls, row: AnyRow) -> _RotationFacts:
        return cls(
            slug=row.rotation_slug,
            name=row.rotation_name,
            timezone=row.rotation_timezone,
            people_per_shift=row.rotation_people_per_shift,
            horizon_days=row.rotation_horizon_days,
            archived=row.rotation_archived,
            updated_at=row.rotation_updated_at,
        )


def _cancellation(
    row: AnyRow, *, rotation: _RotationFacts, start: datetime
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


def _shift_columns() -> tuple[Any, ...]:
    return (
        Shift.id,
        Shift.uid,
        Shift.rotation_id,
        # Rows are sequences, whose ``index`` is a method: label the column apart.
        Shift.index.label("cadence_index"),
        Shift.slot,
        Shift.kind,
        Shift.start,
        Shift.end,
        Shift.sequence,
        Shift.feed_revision,
        Shift.created_at,
        Shift.updated_at,
        Shift.cancelled_at,
        Shift.why,
    )


def _rotation_columns() -> tuple[Any, ...]:
    return (
        Rotation.slug.label("rotation_slug"),
        Rotation.name.label("rotation_name"),
        Rotation.timezone.label("rotation_timezone"),
        Rotation.people_per_shift.label("rotation_people_per_shift"),
        Rotation.horizon_days.label("rotation_horizon_days"),
        Rotation.archived.label("rotation_archived"),
        Rotation.updated_at.label("rotation_updated_at"),
    )


def rotation_feed(session: Session, *, slug: str, now: datetime) -> RotationFeed | None:
    """Every shift of the rotation in the feed window (two queries, three with overrides or
    swaps); None for an unknown slug."""
    rotation = session.scalars(select(Rotation).where(Rotation.slug == slug)).one_or_none()
    if rotation is None:
        return None
    start = window_start(now)
    facts = _RotationFacts.of(rotation)
    rows = session.execute(
        select(*_shift_columns(), Person.name.label("person_name"))
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
    live_by_index: dict[tuple[int], list[AnyRow]] = defaultdict(list)
    for row in rows:
        if row.cancelled_at is None and not rotation.archived:
            live_by_index[(row.cadence_index,)].append(row)
    covers = handovers.covered_for(
        session, shift_ids=[r.id for r in rows if r.kind in handovers.COVER_KINDS]
    )
    shifts: list[FeedShift] = []
    for row in rows:
        state = _cancellation(row, rotation=facts, start=start)
        if state is None:
            continue
        cancelled, modified_at, sequence = state
        on_shift: tuple[str, ...] = ()
        context: dict[str, Any] = {}
        if not cancelled:
            together = [
                other
                for other in live_by_index[(row.cadence_index,)]
                if other.start < row.end and other.end > row.start
            ]
            on_shift = tuple(o.person_name for o in together if o.person_name is not None)
            modified_at = max(o.updated_at for o in together)
            context = handovers.context(row, live_by_index, (), covers, name="person_name")
        shifts.append(
            _feed_shift(
                row,
                rotation=facts,
                cancelled=cancelled,
                modified_at=modified_at,
                sequence=sequence,
                assignee=row.person_name,
                on_shift=on_shift,
                **context,
            )
        )
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
        select(*_shift_columns(), *_rotation_columns())
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
) -> dict[tuple[int, int], list[AnyRow]]:
    """Everyone on the same shifts and the shifts either side, named in the descriptions:
    every live slot of a (rotation, cadence index) one of the person's shifts has, or is next
    to; the same shift's slots are matched by overlap later."""
    theirs = select(Shift.rotation_id, Shift.index).where(
        Shift.person_id == person_id, Shift.cancelled_at.is_(None), Shift.end > start
    )
    near = or_(*(tuple_(Shift.rotation_id, Shift.index + step).in_(theirs) for step in (-1, 0, 1)))
    together: dict[tuple[int, int], list[AnyRow]] = defaultdict(list)
    for colleague in session.execute(
        select(
            Shift.rotation_id,
            Shift.index.label("cadence_index"),
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
    together: dict[tuple[int, int], list[AnyRow]],
    covers: Mapping[int, str],
    start: datetime,
) -> FeedShift | None:
    """One of the person's own rows as a feed shift, or None when the feed leaves it out."""
    facts = _RotationFacts.from_row(row)
    if row.start >= _horizon_end(start, facts.horizon_days):
        return None
    state = _cancellation(row, rotation=facts, start=start)
    if state is None:
        return None
    cancelled, modified_at, sequence = state
    on_shift: tuple[str, ...] = ()
    context: dict[str, Any] = {}
    if not cancelled:
        colleagues = [
            c
            for c in together[(row.rotation_id, row.cadence_index)]
            if c.start < row.end and c.end > row.start
        ]
        on_shift = tuple(c.name for c in colleagues if c.name is not None)
        own = next((c.name for c in colleagues if c.person_id == person_id), None)
        modified_at = max([modified_at, *(c.updated_at for c in colleagues)])
        context = handovers.context(row, together, (row.rotation_id,), covers, name="name")
        context["assignee"] = own
    return _feed_shift(
        row,
        rotation=facts,
        cancelled=cancelled,
        modified_at=modified_at,
        sequence=sequence,
        on_shift=on_shift,
        **context,
    )


def _released(
    session: Session, *, person_id: int, start: datetime, shown: set[int]
) -> list[FeedShift]:
    """Shifts the person lost in the last 30 days and does not have again, as cancelled."""
    rows = session.execute(
        select(
            *_shift_columns(),
            *_rotation_columns(),
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
        facts = _RotationFacts.from_row(row)
        if row.start >= _horizon_end(start, facts.horizon_days):
            continue
        shown.add(row.id)  # rows come latest release first: keep only that one
        released.append(
            _feed_shift(
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


def _feed_shift(
    row: AnyRow,
    *,
    rotation: _RotationFacts,
    cancelled: bool,
    modified_at: datetime,
    sequence: int,
    released: bool = False,
    assignee: str | None = None,
    on_shift: tuple[str, ...] = (),
    handover_from: tuple[str, ...] | None = None,
    handover_to: tuple[str, ...] | None = None,
    covering_for: str | None = None,
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
        why=None if cancelled or row.kind != "scheduled" else why_line.sentence(row.why),
    )
