"""Covers are owed and paid back: whoever was covered for is first in line for the next shift."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from rotation import debts, generation, overrides, service, time_off
from rotation.models import ShiftRelease
from tests.conftest import DEFAULT_NOW
from tests.factories import make_person, make_scheduled_rotation
from tests.probes import live_shifts

WEEK = timedelta(days=7)


def _people(session: Session) -> list:  # type: ignore[type-arg]
    return [make_person(session, name=name) for name in ("Ana", "Ben", "Cy")]


def test_time_off_records_a_cover_that_the_next_planned_shift_pays_back(session: Session) -> None:
    ana, ben, cy = _people(session)
    rotation = make_scheduled_rotation(session, members=[ana, ben, cy], horizon_days=28)
    bens = next(s for s in live_shifts(session, rotation) if s.person_id == ben.id)
    day = bens.start.date()
    time_off.add_time_off(
        session, person=ben, start=day, end=day + timedelta(days=6), reason="",
        now=DEFAULT_NOW, actor=None,
    )  # fmt: skip
    covered = next(s for s in live_shifts(session, rotation) if s.id == bens.id)
    assert covered.person_id not in (None, ben.id)
    assert debts.owed(session, rotation_id=rotation.id) == {
        ben.id: [session.scalars(select(ShiftRelease.id).where(ShiftRelease.cover)).one()]
    }
    [debt] = debts.of_person(session, person_id=ben.id, since=DEFAULT_NOW)
    assert (debt.covered_on, debt.first_in_line_for) == (bens.start, None)

    # A week on, the horizon brings one new shift: Ben's, whatever the counts say.
    generation.extend(session, rotation_id=rotation.id, now=DEFAULT_NOW + WEEK)
    newest = live_shifts(session, rotation)[-1]
    assert newest.person_id == ben.id
    assert newest.why is not None and newest.why["rule"] == "owed"
    assert debts.owed(session, rotation_id=rotation.id) == {}
    [debt] = debts.of_person(session, person_id=ben.id, since=DEFAULT_NOW)
    assert debt.first_in_line_for == newest.start
    assert debt.covered_by == session.get(type(ana), covered.person_id).name  # type: ignore[union-attr]


def test_an_override_is_a_cover_paid_back_on_the_next_planned_shift(session: Session) -> None:
    ana, ben, cy = _people(session)
    rotation = make_scheduled_rotation(session, members=[ana, ben, cy], horizon_days=28)
    shifts = live_shifts(session, rotation)
    anas = next(s for s in shifts if s.person_id == ana.id and s.start > DEFAULT_NOW)
    overrides.override(
        session, shift=anas, person=cy, start=None, end=None, now=DEFAULT_NOW, actor=None
    )
    owed = debts.owed(session, rotation_id=rotation.id)
    assert list(owed) == [ana.id]
    before = {s.id for s in live_shifts(session, rotation)}
    generation.extend(session, rotation_id=rotation.id, now=DEFAULT_NOW + WEEK)
    added = [s for s in live_shifts(session, rotation) if s.id not in before]
    assert added and added[0].person_id == ana.id
    assert added[0].why is not None and added[0].why["rule"] == "owed"


def test_a_rebalance_is_no_cover(session: Session) -> None:
    ana, ben, cy = _people(session)
    rotation = make_scheduled_rotation(session, members=[ana, ben, cy], horizon_days=56)
    service.rebalance(
        session, rotation=rotation, from_date=DEFAULT_NOW.date(), now=DEFAULT_NOW, actor=None
    )
    assert debts.owed(session, rotation_id=rotation.id) == {}
    assert not session.scalars(select(ShiftRelease).where(ShiftRelease.cover)).all()
