"""Extending rotations a batch at a time gives what extending them one by one gives.

Each case builds a varied organisation (timezones with DST, time off, own holidays, coverage
windows, several people per shift, members who joined late or left, people in two rotations,
uncovered shifts, an archived rotation, burden fairness, a shadow, a rotation with nobody),
then extends it both ways inside a savepoint each and compares shifts, audit events and
results.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import AuditEvent, Person
from rotation import batch_extend, generation
from rotation.models import Rotation, RotationMember, Shift, TimeOff
from tests.conftest import DEFAULT_NOW
from tests.factories import make_person, make_rotation

ZONES = ["Europe/Amsterdam", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC"]
COUNTRIES = ["NL", "US", "AU", "IN", "GB"]
OFFICE = [{"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "17:00",
           "overnight": False}]  # fmt: skip


def _people(session: Session) -> list[Person]:
    people = [make_person(session, timezone=ZONES[n % len(ZONES)]) for n in range(16)]
    for n, person in enumerate(people):
        person.holiday_country = COUNTRIES[n % len(COUNTRIES)] if n % 3 else None
    people[5].active = False
    return people


def _rotations(session: Session, people: list[Person]) -> list[Rotation]:
    """Rotations of every kind, sharing some people (so one's shifts keep them from another's)."""
    made = [
        make_rotation(session, timezone="Europe/Amsterdam", start_date=date(2026, 10, 19),
                      members=people[0:5], horizon_days=120),
        make_rotation(session, timezone="America/New_York", shift_days=1, people_per_shift=2,
                      handoff_time=time(8, 30), members=people[3:8], horizon_days=60),
        make_rotation(session, timezone="Australia/Sydney", shift_days=3, members=people[7:12],
                      horizon_days=90),
        make_rotation(session, timezone="Asia/Kolkata", members=[], horizon_days=40),
        make_rotation(session, timezone="UTC", start_date=date(2026, 11, 25), shift_days=2,
                      members=people[10:16], horizon_days=75),
        make_rotation(session, timezone="Europe/Amsterdam", members=people[0:3], archived=True),
        make_rotation(session, timezone="America/New_York", members=people[12:16],
                      horizon_days=100),
        make_rotation(session, timezone="UTC", shift_days=1, members=people[1:4] + people[8:10],
                      horizon_days=45),
    ]  # fmt: skip
    made[2].coverage = OFFICE
    made[2].holiday_country, made[2].holiday_policy = "AU", "skip"
    made[2].treat_own_holidays_as_time_off = True
    made[4].treat_own_holidays_as_time_off = True
    made[6].fairness = "burden"
    made[6].coverage = OFFICE
    made[7].shadow_shifts_required = 2
    return made


def _memberships(session: Session, people: list[Person], rotations: list[Rotation]) -> None:
    """Someone left, someone joins later, someone with a join credit, a shadow."""
    members = {(m.rotation_id, m.person_id): m for m in session.scalars(select(RotationMember))}
    members[(rotations[0].id, people[1].id)].left_at = DEFAULT_NOW + timedelta(days=20)
    members[(rotations[1].id, people[4].id)].joined_at = DEFAULT_NOW + timedelta(days=9)
    members[(rotations[4].id, people[11].id)].count_offset = 3
    members[(rotations[7].id, people[9].id)].stage = "shadow"
    session.add(
        RotationMember(
            rotation_id=rotations[0].id, person_id=people[6].id, position=9,
            joined_at=DEFAULT_NOW + timedelta(days=30),
        )
    )  # fmt: skip
    session.flush()


def _time_off(session: Session, people: list[Person]) -> None:
    for n, person in enumerate(people):
        if n % 2 == 0:
            first = DEFAULT_NOW.date() + timedelta(days=3 * n)
            session.add(
                TimeOff(person_id=person.id, start=first, end=first + timedelta(days=n % 5 + 1),
                        reason="", created_at=DEFAULT_NOW)
            )  # fmt: skip
    session.flush()


def organisation(session: Session) -> list[int]:
    people = _people(session)
    rotations = _rotations(session, people)
    _memberships(session, people, rotations)
    _time_off(session, people)
    return [r.id for r in rotations]


def one_by_one(session: Session, ids: list[int], now: datetime) -> list[tuple[int, int, int]]:
    results = []
    for rotation_id in ids:
        result = generation.extend(session, rotation_id=rotation_id, now=now)
        results.append((result.rotation_id, result.added, result.uncovered))
    session.flush()
    return results


def batched(size: int) -> Callable[[Session, list[int], datetime], list[tuple[int, int, int]]]:
    def run(session: Session, ids: list[int], now: datetime) -> list[tuple[int, int, int]]:
        results = []
        for first in range(0, len(ids), size):
            for result in batch_extend.extend(
                session, rotation_ids=ids[first : first + size], now=now
            ):
                results.append((result.rotation_id, result.added, result.uncovered))
        session.flush()
        return results

    return run


def outcome(session: Session) -> dict[str, Any]:
    """Everything a run leaves behind, without ids and random UIDs."""
    shifts = sorted(
        (s.rotation_id, s.index, s.slot, s.role, s.start, s.end, s.person_id, s.kind,
         s.sequence, s.cancelled_at, repr(s.why))
        for s in session.scalars(select(Shift).execution_options(populate_existing=True))
    )  # fmt: skip
    events = sorted(
        (e.subject_id, e.action, repr(e.after), e.note, e.before)
        for e in session.scalars(select(AuditEvent).where(AuditEvent.action == "rotation.schedule"))
    )
    return {"shifts": shifts, "events": events}


def compare(session: Session, ids: list[int], now: datetime, size: int) -> dict[str, Any]:
    """Both ways from the same state (each in a savepoint rolled back); the batch's outcome."""
    found = []
    for run in (one_by_one, batched(size)):
        savepoint = session.begin_nested()
        results = run(session, ids, now)
        found.append({**outcome(session), "results": results})
        savepoint.rollback()
    assert found[1] == found[0]
    return found[0]


@pytest.mark.parametrize("size", [1, 3, 50])
def test_batches_from_scratch_match_one_rotation_at_a_time(session: Session, size: int) -> None:
    ids = organisation(session)
    got = compare(session, ids, DEFAULT_NOW, size)
    assert len(got["shifts"]) > 250
    assert any(person is None for *_x, person, _k, _s, _c, _w in got["shifts"])


@pytest.mark.parametrize("size", [2, 50])
def test_a_later_run_with_uncovered_shifts_matches_too(session: Session, size: int) -> None:
    ids = organisation(session)
    one_by_one(session, ids, DEFAULT_NOW)
    # Some future shifts lost their person; some people took time off since.
    later = DEFAULT_NOW + timedelta(days=17)
    shifts = session.scalars(
        select(Shift).where(Shift.start > later, Shift.person_id.is_not(None)).order_by(Shift.id)
    ).all()
    for shift in shifts[::9]:
        shift.person_id = None
    people = session.scalars(select(Person).order_by(Person.id)).all()
    for person in people[1::4]:
        session.add(
            TimeOff(person_id=person.id, start=later.date() + timedelta(days=5),
                    end=later.date() + timedelta(days=12), reason="", created_at=later)
        )  # fmt: skip
    session.flush()
    got = compare(session, ids, later, size)
    assert any(added for _r, added, _u in got["results"])


def test_a_run_past_a_dst_change_adds_the_same_handoffs(session: Session) -> None:
    ids = organisation(session)
    one_by_one(session, ids, DEFAULT_NOW)
    spring = datetime(2027, 3, 20, 12, 0, tzinfo=UTC)
    got = compare(session, ids, spring, 4)
    assert sum(added for _r, added, _u in got["results"]) > 0
