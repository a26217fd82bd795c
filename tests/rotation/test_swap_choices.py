"""The swap forms offer exactly the trades and covers that ``request_swap`` accepts."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Conflict, Invalid
from core.models import Person
from flows import demo
from rotation import page_view, swaps
from rotation.models import Rotation
from tests.conftest import DEFAULT_NOW

# Enough of each engineer's shifts to meet the demo's time off and the regional rotations.
SHIFTS_TRIED = 4


def _accepted(session: Session, **ask: object) -> bool:
    with session.begin_nested() as attempt:
        try:
            swaps.request_swap(session, now=DEFAULT_NOW, **ask)  # type: ignore[arg-type]
        except (Conflict, Invalid):
            return False
        finally:
            attempt.rollback()
    return True


def test_offered_trades_and_covers_are_exactly_the_accepted_ones(session: Session) -> None:
    demo.load_demo(session, now=DEFAULT_NOW)
    tier_two = session.scalars(select(Rotation).where(Rotation.slug == "tier-2-engineering")).one()
    engineers = ("ana.devries", "noah.wilson", "sam.okafor")
    refused_somewhere = 0
    for local in engineers:
        viewer = session.scalars(select(Person).where(Person.email == f"{local}@example.com")).one()
        view = page_view.load(
            session, rotation=tier_two, viewer=viewer, now=DEFAULT_NOW,
            start=DEFAULT_NOW, end=DEFAULT_NOW + timedelta(days=7),
        )  # fmt: skip
        for mine in view.my_shifts[:SHIFTS_TRIED]:
            for theirs in view.trade_options:
                offered = theirs.id in view.choices.trades[mine.id]
                accepted = _accepted(
                    session, requester=viewer, shift_id=mine.id,
                    counterpart_shift_id=theirs.id, counterpart_person_id=None,
                )  # fmt: skip
                assert offered == accepted, (local, mine.start, theirs.start)
                refused_somewhere += not accepted
            for member in view.roster:
                if member.person_id == viewer.id:
                    continue
                offered = member.person_id in view.choices.covers[mine.id]
                accepted = _accepted(
                    session, requester=viewer, shift_id=mine.id,
                    counterpart_shift_id=None, counterpart_person_id=member.person_id,
                )  # fmt: skip
                assert offered == accepted, (local, mine.start, member.person.name)
                refused_somewhere += not accepted
    # The demo's time off and regional shifts make some swaps impossible: the test sees both.
    assert refused_somewhere > 0
