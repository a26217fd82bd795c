"""Open swaps as the people in them see them: what waits on whom, loaded in fixed queries."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from core.clock import FixedClock
from core.models import Person
from rotation import swap_views, swaps
from rotation.models import Rotation, Shift
from tests.factories import make_people, make_scheduled_rotation
from tests.probes import live_shifts
from tests.querycount import count_statements


def shifts_of(session: Session, rotation: Rotation, person: Person) -> list[Shift]:
    return [s for s in live_shifts(session, rotation) if s.person_id == person.id]


def offer(
    session: Session, clock: FixedClock, requester: Person, shift: Shift, to: Person
) -> swaps.SwapRequest:
    return swaps.request_swap(
        session,
        requester=requester,
        shift_id=shift.id,
        counterpart_shift_id=None,
        counterpart_person_id=to.id,
        now=clock.now(),
    )


def test_open_swaps_are_the_pending_ones_and_those_awaiting_approval(
    session: Session, clock: FixedClock
) -> None:
    now = clock.now()
    ana, bo, cy, dee, eve = make_people(session, 5)
    plain = make_scheduled_rotation(session, name="Plain", members=[ana, bo, cy])
    careful = make_scheduled_rotation(
        session, name="Careful", members=[dee, eve], swap_requires_approval=True
    )
    ana_plain = [s for s in shifts_of(session, plain, ana) if s.start > now]
    bo_plain = [s for s in shifts_of(session, plain, bo) if s.start > now]
    # A shift of Dee's in a week Ana is free, so Ana can cover it.
    dee_free_week = next(
        s
        for s in shifts_of(session, careful, dee)
        if s.start > now and not any(a.start < s.end and s.start < a.end for a in ana_plain)
    )

    to_answer = offer(session, clock, ana, ana_plain[0], bo)
    trade = swaps.request_swap(
        session,
        requester=bo,
        shift_id=bo_plain[0].id,
        counterpart_shift_id=ana_plain[1].id,
        counterpart_person_id=None,
        now=now,
    )
    awaiting = offer(session, clock, dee, dee_free_week, ana)
    swaps.accept(session, swap=awaiting, person=ana, now=now)
    done = offer(session, clock, ana, ana_plain[2], cy)
    swaps.accept(session, swap=done, person=cy, now=now)
    declined = offer(session, clock, ana, ana_plain[3], cy)
    swaps.decline(session, swap=declined, person=cy, now=now)

    views = swap_views.open_swaps(session, person=ana, now=now)

    assert [v.swap.id for v in views] == [to_answer.id, trade.id, awaiting.id]
    first, second, third = views
    assert (first.requester.id, first.counterpart.id) == (ana.id, bo.id)
    assert first.shift.id == ana_plain[0].id and first.counterpart_shift is None
    assert first.shift.rotation.name == "Plain"
    assert second.counterpart_shift is not None and second.counterpart_shift.id == ana_plain[1].id
    assert second.requester.id == bo.id
    assert not first.awaiting_approval and third.awaiting_approval
    assert (third.requester.id, third.counterpart.id) == (dee.id, ana.id)
    assert [v.swap.id for v in swap_views.open_swaps(session, person=bo, now=now)] == [
        to_answer.id,
        trade.id,
    ]
    # Once the offered shift has started there is nothing left to answer.
    started = bo_plain[0].start
    assert ana_plain[0].start > started
    assert [v.swap.id for v in swap_views.open_swaps(session, person=bo, now=started)] == [
        to_answer.id
    ]


@pytest.mark.parametrize("offers", [1, 5])
def test_open_swaps_take_three_queries_whatever_their_number(
    session: Session, clock: FixedClock, offers: int
) -> None:
    now = clock.now()
    people = make_people(session, offers + 1)
    target = people[-1]
    rotation = make_scheduled_rotation(session, members=people)
    for requester in people[:-1]:
        shift = next(s for s in shifts_of(session, rotation, requester) if s.start > now)
        offer(session, clock, requester, shift, target)
    session.flush()
    with count_statements(session) as statements:
        views = swap_views.open_swaps(session, person=target, now=now)
    assert len(views) == offers
    assert len(statements) == 3, statements
    assert {v.requester.name for v in views} == {p.name for p in people[:-1]}
