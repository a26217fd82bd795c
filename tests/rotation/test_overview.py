"""Read-only views for pages: who is on, next handoffs, counts, swaps ahead, previews."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from rotation import members as roster
from rotation import overview, swaps
from rotation import service as rotation_service
from rotation.schemas import RotationUpdate
from rotation.timeline import Cadence
from tests.conftest import DEFAULT_NOW
from tests.factories import MONDAY, make_people, make_scheduled_rotation
from tests.probes import fingerprint, live_shifts
from tests.querycount import count_statements


def test_who_is_on_and_the_next_handoff_for_every_rotation(session: Session) -> None:
    ana, sam, priya = make_people(session, 3)
    weekly = make_scheduled_rotation(session, name="Weekly", members=[ana, sam])
    pairs = make_scheduled_rotation(session, name="Pairs", members=[priya], people_per_shift=2)
    empty = make_scheduled_rotation(session, name="Later", start_date=MONDAY + timedelta(days=70))

    on_call = overview.on_call_by_rotation(session, rotation_ids=None, at=DEFAULT_NOW)
    handoffs = overview.next_handoffs(session, rotation_ids=None, after=DEFAULT_NOW)

    assert [s.person_id for s in on_call[weekly.id]] == [ana.id]
    assert [s.person.id if s.person else None for s in on_call[pairs.id]] == [priya.id, None]
    assert empty.id not in on_call
    assert (
        handoffs[weekly.id] == handoffs[pairs.id] == DEFAULT_NOW.replace(day=30, hour=9, minute=0)
    )
    assert handoffs[empty.id].date() == MONDAY + timedelta(days=70)
    only = overview.on_call_by_rotation(session, rotation_ids=[weekly.id], at=DEFAULT_NOW)
    assert set(only) == {weekly.id}


def test_views_of_many_rotations_take_one_query_each(session: Session) -> None:
    for n in range(5):
        make_scheduled_rotation(session, name=f"R{n}", members=make_people(session, 2))
    with count_statements(session) as statements:
        overview.on_call_by_rotation(session, rotation_ids=None, at=DEFAULT_NOW)
        overview.next_handoffs(session, rotation_ids=None, after=DEFAULT_NOW)
    assert len(statements) == 2


def test_shift_counts_and_upcoming_shifts(session: Session) -> None:
    ana, sam = make_people(session, 2)
    rotation = make_scheduled_rotation(session, members=[ana, sam])
    shifts = live_shifts(session, rotation)
    assert overview.shift_counts(session, rotation=rotation) == dict(
        Counter(s.person_id for s in shifts)
    )
    mine = overview.upcoming_shifts(
        session, rotation=rotation, after=DEFAULT_NOW, person_id=ana.id, limit=3
    )
    assert [s.id for s in mine] == [
        s.id for s in shifts if s.person_id == ana.id and s.start > DEFAULT_NOW
    ][:3]
    others = overview.upcoming_shifts(
        session, rotation=rotation, after=DEFAULT_NOW, other_than=ana.id
    )
    assert others and {s.person_id for s in others} == {sam.id}


def test_swaps_ahead_with_their_shifts_and_people(session: Session) -> None:
    ana, sam, priya = make_people(session, 3)
    rotation = make_scheduled_rotation(session, members=[ana, sam, priya])
    ahead = [s for s in live_shifts(session, rotation) if s.start > DEFAULT_NOW]
    anas = [s for s in ahead if s.person_id == ana.id]
    sams = next(s for s in ahead if s.person_id == sam.id)
    trade = swaps.request_swap(
        session, requester=ana, shift_id=anas[0].id, counterpart_shift_id=sams.id,
        counterpart_person_id=None, now=DEFAULT_NOW,
    )  # fmt: skip
    cover = swaps.request_swap(
        session, requester=ana, shift_id=anas[1].id, counterpart_shift_id=None,
        counterpart_person_id=priya.id, now=DEFAULT_NOW,
    )  # fmt: skip
    declined = swaps.request_swap(
        session, requester=ana, shift_id=anas[2].id, counterpart_shift_id=None,
        counterpart_person_id=sam.id, now=DEFAULT_NOW,
    )  # fmt: skip
    swaps.decline(session, swap=declined, person=sam, now=DEFAULT_NOW)
    session.flush()

    with count_statements(session) as statements:
        views = overview.rotation_swaps(session, rotation=rotation, now=DEFAULT_NOW)
    assert len(statements) == 3
    assert [v.swap.id for v in views] == [trade.id, cover.id]
    first, second = views
    assert first.is_trade and first.counterpart_shift is not None
    assert (first.requester.id, first.counterpart.id, first.counterpart_shift.id) == (
        ana.id,
        sam.id,
        sams.id,
    )
    assert not second.is_trade and second.counterpart.id == priya.id


@pytest.mark.parametrize("shift_days", [3, 7, 10, 14])
def test_the_preview_matches_what_saving_produces(session: Session, shift_days: int) -> None:
    people = make_people(session, 3)
    rotation = make_scheduled_rotation(session, members=people, timezone="Europe/Amsterdam")
    cadence = Cadence("Europe/Amsterdam", MONDAY, rotation.handoff_time, shift_days)
    before = fingerprint(session)

    previewed = overview.preview(session, rotation=rotation, cadence=cadence, now=DEFAULT_NOW)

    assert fingerprint(session) == before  # nothing written
    rotation_service.update_rotation(
        session, rotation=rotation, data=RotationUpdate(shift_days=shift_days),
        now=DEFAULT_NOW, actor=None,
    )  # fmt: skip
    saved = [(s.start, s.end) for s in live_shifts(session, rotation) if s.start > DEFAULT_NOW]
    assert previewed == saved[: len(previewed)]
    assert len(previewed) == 8


def test_people_a_manager_may_give_time_off(session: Session) -> None:
    manager, ana, sam, outsider = make_people(session, 4)
    make_scheduled_rotation(session, name="Mine", members=[ana, sam], manager_ids=[manager.id])
    make_scheduled_rotation(session, name="Theirs", members=[outsider])
    names = [p.id for p in roster.people_managed_by(session, manager=manager)]
    assert sorted(names) == sorted([ana.id, sam.id])
    admin = make_people(session, 1, is_admin=True)[0]
    everyone = {p.id for p in roster.people_managed_by(session, manager=admin)}
    assert {manager.id, ana.id, sam.id, outsider.id, admin.id} <= everyone
