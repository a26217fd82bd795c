"""Materialised shifts in the database: generation, stability, reassignment and cadence changes."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import people
from rotation import generation, members, service, time_off
from rotation.models import Shift, ShiftRelease
from rotation.schemas import RotationUpdate
from tests.conftest import DEFAULT_NOW
from tests.factories import MONDAY, make_people, make_person, make_scheduled_rotation
from tests.probes import all_shifts, live_shifts
from tests.querycount import count_statements

WEEK = timedelta(days=7)
CURRENT_START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_new_rotation_has_uncovered_shifts_from_the_one_in_progress_to_the_horizon(
    session: Session,
) -> None:
    rotation = make_scheduled_rotation(session, horizon_days=28)
    shifts = live_shifts(session, rotation)
    assert shifts[0].start == CURRENT_START  # in progress at creation (Tuesday 10:00)
    assert [s.index for s in shifts] == [0, 1, 2, 3, 4]
    assert shifts[-1].start < DEFAULT_NOW + timedelta(days=28) <= shifts[-1].end
    assert all(s.person_id is None and s.kind == "scheduled" for s in shifts)
    assert len({s.uid for s in shifts}) == len(shifts)


def test_a_start_date_in_the_future_is_where_shifts_begin(session: Session) -> None:
    rotation = make_scheduled_rotation(session, start_date=date(2026, 12, 7), horizon_days=30)
    shifts = live_shifts(session, rotation)
    assert shifts[0].start == datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    assert shifts[0].index == 0


def test_ten_members_weekly_each_take_exactly_one_week_in_every_ten(session: Session) -> None:
    team = make_people(session, 10)
    rotation = make_scheduled_rotation(session, members=team, horizon_days=365)
    shifts = live_shifts(session, rotation)
    assert len(shifts) >= 52
    order = [p.id for p in team]
    assigned = [s.person_id for s in shifts]
    assert assigned == (order * 6)[: len(assigned)]
    for first in range(len(assigned) - 9):
        assert sorted(assigned[first : first + 10]) == sorted(order)  # type: ignore[type-var]


def test_extend_is_idempotent_and_adds_only_what_time_brought_into_the_horizon(
    session: Session,
) -> None:
    team = make_people(session, 3)
    rotation = make_scheduled_rotation(session, members=team, horizon_days=28)
    before = [(s.id, s.person_id, s.sequence) for s in live_shifts(session, rotation)]
    again = generation.extend(session, rotation_id=rotation.id, now=DEFAULT_NOW)
    assert again.added == 0 and again.changed_shift_ids == []
    assert [(s.id, s.person_id, s.sequence) for s in live_shifts(session, rotation)] == before

    later = generation.extend(session, rotation_id=rotation.id, now=DEFAULT_NOW + 2 * WEEK)
    assert later.added == 2
    after = live_shifts(session, rotation)
    assert [(s.id, s.person_id, s.sequence) for s in after[: len(before)]] == before
    # Round-robin carries on across runs.
    assert [s.person_id for s in after] == ([p.id for p in team] * 3)[: len(after)]


def test_adding_a_member_changes_no_existing_shift_and_causes_no_burst(session: Session) -> None:
    team = make_people(session, 3)
    rotation = make_scheduled_rotation(session, members=team, horizon_days=56)
    before = {s.id: (s.person_id, s.sequence, s.start) for s in live_shifts(session, rotation)}
    newcomer = make_person(session)
    members.set_members(
        session,
        rotation=rotation,
        person_ids=[*(p.id for p in team), newcomer.id],
        now=DEFAULT_NOW,
        actor=None,
    )
    after = {s.id: (s.person_id, s.sequence, s.start) for s in live_shifts(session, rotation)}
    assert after == before

    generation.extend(session, rotation_id=rotation.id, now=DEFAULT_NOW + 52 * WEEK)
    added = [s.person_id for s in live_shifts(session, rotation) if s.id not in before]
    # The newcomer takes turns like everyone else: never twice in a row, never a run.
    assert all(a != b for a, b in pairwise(added))
    counts = Counter(added)
    assert max(counts.values()) - min(counts.values()) <= 1
    assert set(counts) == {*(p.id for p in team), newcomer.id}


def test_removing_a_member_reassigns_only_their_future_shifts(session: Session) -> None:
    team = make_people(session, 3)
    october = datetime(2026, 10, 5, 12, 0, tzinfo=UTC)
    rotation = make_scheduled_rotation(
        session, members=team, start_date=date(2026, 10, 5), horizon_days=120, now=october
    )
    before = {s.id: (s.person_id, s.start, s.end) for s in live_shifts(session, rotation)}
    leaver = team[0]
    members.set_members(
        session, rotation=rotation, person_ids=[team[1].id, team[2].id], now=DEFAULT_NOW, actor=None
    )
    shifts = live_shifts(session, rotation)
    past = [s for s in shifts if s.end <= DEFAULT_NOW and s.start < CURRENT_START]
    assert len(past) == 7 and any(s.person_id == leaver.id for s in past)
    for shift in past:
        assert before[shift.id] == (shift.person_id, shift.start, shift.end)
    for shift in shifts:
        if shift.start >= DEFAULT_NOW:
            assert shift.person_id != leaver.id
        if shift.id in before and before[shift.id][0] != leaver.id:
            assert shift.person_id == before[shift.id][0]  # nobody else moved
    assert any(before[s.id][0] == leaver.id for s in shifts if s.start > DEFAULT_NOW)


def test_a_leaver_on_the_shift_in_progress_keeps_what_they_worked(session: Session) -> None:
    team = make_people(session, 2)
    rotation = make_scheduled_rotation(session, members=team, horizon_days=21)
    current = live_shifts(session, rotation)[0]
    assert current.person_id == team[0].id and current.start < DEFAULT_NOW
    sequence = current.sequence
    members.set_members(
        session, rotation=rotation, person_ids=[team[1].id], now=DEFAULT_NOW, actor=None
    )
    first, rest = live_shifts(session, rotation)[:2]
    assert (first.id, first.person_id, first.end) == (current.id, team[0].id, DEFAULT_NOW)
    assert first.sequence == sequence + 1
    assert (rest.start, rest.end, rest.person_id) == (
        DEFAULT_NOW,
        CURRENT_START + WEEK,
        team[1].id,
    )
    assert rest.index == first.index and rest.uid != first.uid


def test_deactivating_a_person_reassigns_their_future_shifts_everywhere(session: Session) -> None:
    team = make_people(session, 3)
    one = make_scheduled_rotation(session, name="One", members=team, start_date=date(2026, 11, 30))
    two = make_scheduled_rotation(
        session, name="Two", members=team[::-1], start_date=date(2026, 11, 30)
    )
    leaver = team[0]
    theirs = [s.id for r in (one, two) for s in live_shifts(session, r) if s.person_id == leaver.id]
    assert theirs
    people.deactivate_person(session, person=leaver, now=DEFAULT_NOW, actor=None)
    changed = members.release_person(session, person=leaver, now=DEFAULT_NOW, actor=None)
    assert sorted(changed) == sorted(theirs)
    for rotation in (one, two):
        assert all(s.person_id != leaver.id for s in live_shifts(session, rotation))
    releases = session.scalars(
        select(ShiftRelease.shift_id).where(ShiftRelease.person_id == leaver.id)
    ).all()
    assert sorted(releases) == sorted(theirs)


def test_a_person_in_several_rotations_is_never_on_two_overlapping_shifts(
    session: Session,
) -> None:
    shared = make_people(session, 2)
    weekly = make_scheduled_rotation(session, name="Weekly", members=shared, horizon_days=120)
    daily = make_scheduled_rotation(
        session,
        name="Daily",
        members=[*shared, make_person(session)],
        shift_days=1,
        handoff_time="17:30",
        timezone="America/New_York",
        horizon_days=120,
    )
    shifts = live_shifts(session, weekly) + live_shifts(session, daily)
    for person in shared:
        mine = sorted((s.start, s.end) for s in shifts if s.person_id == person.id)
        for (_, end), (start, _) in pairwise(mine):
            assert end <= start


def test_several_people_per_shift_are_distinct_and_short_slots_stay_uncovered(
    session: Session,
) -> None:
    trio = make_people(session, 3)
    rotation = make_scheduled_rotation(session, members=trio, people_per_shift=2, horizon_days=42)
    by_index: dict[int, list[int | None]] = {}
    for shift in live_shifts(session, rotation):
        by_index.setdefault(shift.index, []).append(shift.person_id)
    assert all(len(p) == 2 and p[0] != p[1] and None not in p for p in by_index.values())

    solo = make_scheduled_rotation(
        session, name="Solo", members=[make_person(session)], people_per_shift=2, horizon_days=14
    )
    result = generation.extend(session, rotation_id=solo.id, now=DEFAULT_NOW)
    slots = live_shifts(session, solo)
    assert [s.person_id is None for s in slots] == [False, True] * (len(slots) // 2)
    assert result.uncovered == len(slots) // 2


def test_uncovered_slots_fill_when_someone_becomes_eligible(session: Session) -> None:
    rotation = make_scheduled_rotation(session, horizon_days=21)
    assert all(s.person_id is None for s in live_shifts(session, rotation))
    ana = make_person(session)
    members.set_members(
        session, rotation=rotation, person_ids=[ana.id], now=DEFAULT_NOW, actor=None
    )
    shifts = live_shifts(session, rotation)
    assert all(s.person_id == ana.id for s in shifts)
    assert all(s.sequence == 1 for s in shifts)  # the feed sees each one change


def test_a_cadence_change_regenerates_future_shifts_after_the_one_in_progress(
    session: Session,
) -> None:
    team = make_people(session, 2)
    rotation = make_scheduled_rotation(session, members=team, horizon_days=42)
    old = live_shifts(session, rotation)
    current, future = old[0], old[1:]
    sequences = {s.id: s.sequence for s in old}
    service.update_rotation(
        session,
        rotation=service.get_rotation(session, rotation.slug),
        data=RotationUpdate(shift_days=14, handoff_time="10:00"),
        now=DEFAULT_NOW,
        actor=None,
    )
    everything = {s.id: s for s in all_shifts(session, rotation)}
    people = {s.id: s.person_id for s in future}
    for shift in future:
        # Cancelled, or moved in place onto a new shift of the same person: one higher either
        # way, so calendar clients take the change.
        changed = everything[shift.id]
        assert changed.sequence == sequences[shift.id] + 1
        if changed.cancelled_at is None:
            assert changed.person_id == people[shift.id] and changed.updated_at == DEFAULT_NOW
        else:
            assert changed.cancelled_at == DEFAULT_NOW
    live = live_shifts(session, rotation)
    assert live[0].id == current.id and live[0].end == CURRENT_START + WEEK
    # The new cadence (fortnights from 23 Nov at 10:00) takes over where the current one ends.
    assert live[1].start == CURRENT_START + WEEK
    assert live[1].end == datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    assert all(b.start == a.end for a, b in pairwise(live))
    assert all((s.end - s.start) == 2 * WEEK for s in live[2:])
    assert live[-1].start < DEFAULT_NOW + timedelta(days=42)


def test_an_edit_that_is_not_a_cadence_change_keeps_every_shift(session: Session) -> None:
    rotation = make_scheduled_rotation(session, members=make_people(session, 2), horizon_days=28)
    before = [(s.id, s.sequence) for s in live_shifts(session, rotation)]
    service.update_rotation(
        session,
        rotation=rotation,
        data=RotationUpdate(name="Renamed", shift_days=7, description="x"),
        now=DEFAULT_NOW,
        actor=None,
    )
    assert [(s.id, s.sequence) for s in live_shifts(session, rotation)] == before


def test_archiving_cancels_shifts_not_yet_started(session: Session) -> None:
    rotation = make_scheduled_rotation(session, members=make_people(session, 2), horizon_days=28)
    service.archive_rotation(session, rotation=rotation, now=DEFAULT_NOW, actor=None)
    live = live_shifts(session, rotation)
    assert [s.start for s in live] == [CURRENT_START]
    assert generation.extend(session, rotation_id=rotation.id, now=DEFAULT_NOW).added == 0
    assert rotation.id not in generation.rotations_due(session, now=DEFAULT_NOW)


def test_rotations_due_lists_only_rotations_short_of_their_horizon(session: Session) -> None:
    full = make_scheduled_rotation(session, name="Full", members=make_people(session, 1))
    assert full.id not in generation.rotations_due(session, now=DEFAULT_NOW)
    assert full.id in generation.rotations_due(session, now=DEFAULT_NOW + WEEK)
    empty = make_scheduled_rotation(session, name="Empty")
    assert empty.id in generation.rotations_due(session, now=DEFAULT_NOW)  # open slots


def test_rebalance_with_nothing_to_fix_changes_nothing(session: Session) -> None:
    rotation = make_scheduled_rotation(session, members=make_people(session, 4), horizon_days=70)
    changed = service.rebalance(
        session, rotation=rotation, from_date=MONDAY, now=DEFAULT_NOW, actor=None
    )
    assert changed == []


def test_rebalance_evens_out_counts_from_a_date(session: Session) -> None:
    team = make_people(session, 3)
    rotation = make_scheduled_rotation(session, members=team[:2], horizon_days=70)
    newcomer = team[2]
    members.set_members(
        session, rotation=rotation, person_ids=[p.id for p in team], now=DEFAULT_NOW, actor=None
    )
    assert all(s.person_id != newcomer.id for s in live_shifts(session, rotation))
    changed = service.rebalance(
        session, rotation=rotation, from_date=date(2026, 12, 1), now=DEFAULT_NOW, actor=None
    )
    shifts = live_shifts(session, rotation)
    assert changed and all(s.start >= DEFAULT_NOW for s in shifts if s.id in changed)
    counts = Counter(s.person_id for s in shifts)
    assert max(counts.values()) - min(counts.values()) <= 1
    assert shifts[0].person_id == team[0].id  # the shift under way is left alone


def test_generation_runs_a_fixed_number_of_statements_whatever_the_size(
    session: Session,
) -> None:
    def statements_for(size: int, horizon: int, name: str) -> int:
        rotation = make_scheduled_rotation(session, name=name, horizon_days=horizon)
        team = make_people(session, size)
        for person in team[:2]:
            # Time off must be loaded in bulk too.
            time_off.add_time_off(
                session,
                person=person,
                start=date(2026, 12, 1),
                end=date(2026, 12, 3),
                reason="",
                now=DEFAULT_NOW,
                actor=None,
            )
        with count_statements(session) as statements:
            members.set_members(
                session,
                rotation=rotation,
                person_ids=[p.id for p in team],
                now=DEFAULT_NOW,
                actor=None,
            )
        return len(statements)

    small = statements_for(3, 14, "Small")
    large = statements_for(30, 700, "Large")
    assert small == large
    assert small >= 8  # members, shifts, time off, elsewhere, insert … were all counted


def test_shift_counts_per_rotation(session: Session) -> None:
    rotation = make_scheduled_rotation(session, horizon_days=7 * 10)
    total = session.scalar(
        select(func.count()).select_from(Shift).where(Shift.rotation_id == rotation.id)
    )
    assert total == 11  # the one in progress and ten more up to the horizon
