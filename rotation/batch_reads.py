"""What ``rotation.batch_extend`` reads for many rotations at once, one query per kind.

The same facts ``rotation.schedule_inputs`` reads for one rotation: counts and last shift
ends per member, shifts near the open slots, members, time off, shifts anywhere (for "shifts
elsewhere") and own holidays, each for the whole run of rotations.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.orm import Session

from core.models import Person
from rotation import own_holidays, schedule_inputs, scheduler
from rotation import shifts as shift_rows
from rotation.models import Rotation, RotationMember, Shift, TimeOff
from rotation.schedule_inputs import MEMBER_COLUMNS, Read, as_utc, rosters_of
from rotation.timeline import days_to_utc

# Time off is kept as local dates; a day either side of the window catches every zone.
_DATE_SLACK = timedelta(days=1)


@dataclass
class Work:
    """One rotation's open slots and the shifts reopened for them."""

    rotation: Rotation
    reopened: dict[int, Shift]
    open_slots: list[scheduler.OpenSlot]

    @property
    def start(self) -> datetime:
        return self.open_slots[0].start

    @property
    def end(self) -> datetime:
        return max(slot.end for slot in self.open_slots)


@dataclass
class Reads:
    """What the run's rotations need, read in one query each (see ``schedule_inputs``)."""

    counts: dict[int, dict[int, int]]
    last_ends: dict[int, dict[int, datetime]]
    near: dict[int, list[tuple[int, int, datetime, datetime]]]
    rosters: dict[int, list[Any]]
    time_off: dict[int, list[scheduler.Interval]]
    busy: dict[int, list[tuple[int, datetime, datetime]]]
    own: dict[int, list[tuple[int, str, str]]]

    @classmethod
    def load(cls, session: Session, work: list[Work]) -> Reads:
        ids = [item.rotation.id for item in work]
        assigned = [
            Shift.rotation_id.in_(ids),
            Shift.cancelled_at.is_(None),
            Shift.role == shift_rows.PRIMARY_ROLE,
            Shift.person_id.is_not(None),
        ]
        start, end = min(i.start for i in work), max(i.end for i in work)
        rosters, counts, last_ends = _members(session, work, assigned, start)
        near: dict[int, list[tuple[int, int, datetime, datetime]]] = defaultdict(list)
        windows = {item.rotation.id: item for item in work}
        for rotation_id, shift_id, person_id, shift_start, shift_end in session.execute(
            select(Shift.rotation_id, Shift.id, Shift.person_id, Shift.start, Shift.end).where(
                *assigned, Shift.end > start, Shift.start < end
            )
        ):
            item = windows[rotation_id]
            if person_id is not None and shift_end > item.start and shift_start < item.end:
                near[rotation_id].append((shift_id, person_id, shift_start, shift_end))
        members = select(RotationMember.person_id).where(RotationMember.rotation_id.in_(ids))
        return cls(
            counts=counts,
            last_ends=last_ends,
            near=near,
            rosters=rosters,
            time_off=_time_off(session, members, start, end),
            busy=_busy(session, members, start, end),
            own=_own(session, [i.rotation for i in work]),
        )

    def read(self, rotation_id: int) -> Read:
        return Read(
            counts=self.counts.get(rotation_id, {}),
            last_ends=self.last_ends.get(rotation_id, {}),
            near=self.near.get(rotation_id, []),
            owed={},
            roster=rosters_of(self.rosters.get(rotation_id, ())).get(rotation_id, []),
        )

    def unavailable(
        self,
        item: Work,
        person_ids: list[int],
        busy: dict[int, list[tuple[int, datetime, datetime]]],
    ) -> dict[int, list[scheduler.Interval]]:
        """As ``schedule_inputs.unavailability`` plus own holidays, over the item's window."""
        start, end, rotation_id = item.start, item.end, item.rotation.id
        found: dict[int, list[scheduler.Interval]] = {}
        time_off = self.time_off
        for person_id in person_ids:
            away, elsewhere = time_off.get(person_id), busy.get(person_id)
            if not (away or elsewhere):
                continue
            intervals = [i for i in away or () if i.start < end and start < i.end]
            intervals.extend(
                scheduler.Interval(s, e)
                for r, s, e in elsewhere or ()
                if r != rotation_id and e > start and s < end
            )
            if intervals:
                found[person_id] = intervals
        for person_id, country, timezone in self.own.get(rotation_id, ()):
            days_off = own_holidays.intervals(country, timezone, start, end)
            if days_off:
                found.setdefault(person_id, []).extend(days_off)
        return found


def _members(
    session: Session, work: list[Work], assigned: list[ColumnElement[bool]], first: datetime
) -> tuple[dict[int, list[Any]], dict[int, dict[int, int]], dict[int, dict[int, datetime]]]:
    """The rotations' member rows (``rosters_of`` makes them members), each with the
    member's assigned live shifts there (``schedule_inputs.history``'s counts) and their last
    end by the rotation's window start, in one query.

    A member row that began by ``first`` (the earliest open slot's start, so by every
    instant a slot is decided at) and has not ended comes without its join time:
    ``rosters_of`` then counts it from the start of time, which decides the same and saves
    reading it. The last end is taken by the latest window start; where that falls after a
    rotation's own window start (uncovered shifts reopened early), one more query finds it.
    """
    starts = {item.rotation.id: item.start for item in work}
    rosters: dict[int, list[Any]] = defaultdict(list)
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    last_ends: dict[int, dict[int, datetime]] = defaultdict(dict)
    # The rotations where someone's last end by the latest window start is after the
    # rotation's own window start.
    early: set[int] = set()
    for row in session.execute(_member_rows(starts, assigned, first)):
        rotation_id, person_id, shifts, last_end = row[0], row[1], row[-2], row[-1]
        rosters[rotation_id].append(row)
        if shifts is not None:
            counts[rotation_id][person_id] = shifts
        if last_end is not None:
            last_end = as_utc(last_end)
            last_ends[rotation_id][person_id] = last_end
            if last_end > starts[rotation_id]:
                early.add(rotation_id)
    for item in work:
        if item.rotation.id in early:
            mine = last_ends[item.rotation.id]
            mine.clear()
            mine.update(
                schedule_inputs.history(
                    session,
                    rotation_id=item.rotation.id,
                    window_start=item.start,
                    window_end=item.end,
                    count_since=None,
                )[1]
            )
    return rosters, counts, last_ends


def _member_rows(
    starts: dict[int, datetime], assigned: list[ColumnElement[bool]], first: datetime
) -> Select[Any]:
    """``_members``' query: the rotations' member rows (``MEMBER_COLUMNS``, the join time
    left out where it cannot matter), then each member's assigned shift count and last end
    by the latest window start."""
    latest = max(starts.values())
    history = (
        select(
            Shift.rotation_id,
            Shift.person_id,
            func.count().label("shifts"),
            func.max(case((Shift.end <= latest, Shift.end))).label("last_end"),
        )
        .where(*assigned)
        .group_by(Shift.rotation_id, Shift.person_id)
        .subquery()
    )
    throughout = and_(RotationMember.joined_at <= first, RotationMember.left_at.is_(None))
    columns = [
        case((throughout, None), else_=RotationMember.joined_at).label("joined_at")
        if column is RotationMember.joined_at
        else column
        for column in MEMBER_COLUMNS
    ]
    return (
        select(RotationMember.rotation_id, *columns, history.c.shifts, history.c.last_end)
        .join(Person, Person.id == RotationMember.person_id)
        .outerjoin(
            history,
            and_(
                history.c.rotation_id == RotationMember.rotation_id,
                history.c.person_id == RotationMember.person_id,
            ),
        )
        .where(RotationMember.rotation_id.in_(list(starts)))
        .order_by(RotationMember.joined_at, RotationMember.id)
    )


def _time_off(
    session: Session, person_ids: Select[int], start: datetime, end: datetime
) -> dict[int, list[scheduler.Interval]]:
    """Everyone's time off that may overlap [start, end), as UTC intervals."""
    found: dict[int, list[scheduler.Interval]] = defaultdict(list)
    for person_id, first, last, timezone in session.execute(
        select(TimeOff.person_id, TimeOff.start, TimeOff.end, Person.timezone)
        .join(Person, Person.id == TimeOff.person_id)
        .where(
            TimeOff.person_id.in_(person_ids),
            TimeOff.end >= (start - _DATE_SLACK).date(),
            TimeOff.start <= (end + _DATE_SLACK).date(),
        )
    ):
        found[person_id].append(scheduler.Interval(*days_to_utc(first, last, ZoneInfo(timezone))))
    return found


def _busy(
    session: Session, person_ids: Select[int], start: datetime, end: datetime
) -> dict[int, list[tuple[int, datetime, datetime]]]:
    """Everyone's live shifts (any rotation, any role) overlapping [start, end)."""
    found: dict[int, list[tuple[int, datetime, datetime]]] = defaultdict(list)
    for person_id, rotation_id, shift_start, shift_end in session.execute(
        select(Shift.person_id, Shift.rotation_id, Shift.start, Shift.end).where(
            Shift.person_id.in_(person_ids),
            Shift.cancelled_at.is_(None),
            Shift.end > start,
            Shift.start < end,
        )
    ):
        if person_id is not None:
            found[person_id].append((rotation_id, shift_start, shift_end))
    return found


def _own(session: Session, rotations: list[Rotation]) -> dict[int, list[tuple[int, str, str]]]:
    """Per rotation treating own holidays as time off: its members' countries and zones."""
    ids = [r.id for r in rotations if r.treat_own_holidays_as_time_off]
    found: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    if not ids:
        return found
    for rotation_id, person_id, country, timezone in session.execute(
        select(RotationMember.rotation_id, Person.id, Person.holiday_country, Person.timezone)
        .join(RotationMember, RotationMember.person_id == Person.id)
        .where(RotationMember.rotation_id.in_(ids), Person.holiday_country.is_not(None))
        .distinct()
    ):
        found[rotation_id].append((person_id, country or "", timezone))
    return found
