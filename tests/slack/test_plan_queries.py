"""Planning Slack notices runs the same queries for one rotation or many."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from onboarding.slack import handoffs, swap_notices
from tests.factories import make_person, make_rotation, make_shift
from tests.querycount import count_statements
from tests.slack.world import BASE_URL, HANDOFF


def _rotations(session: Session, count: int) -> None:
    for _ in range(count):
        rotation = make_rotation(session)
        rotation.slack_channel, rotation.slack_usergroup = "#support", "S0123ABCDE"
        for index in (11, 12, 13):
            make_shift(session, rotation=rotation, person=make_person(session), index=index)
    session.flush()


def _plan_statements(session: Session) -> tuple[int, int]:
    at = HANDOFF + timedelta(minutes=5)
    with count_statements(session) as seen:
        planned = handoffs.plan(session, now=at, base_url=BASE_URL)
        planned += swap_notices.plan(session, now=at)
    return len(seen.selects), len(planned)


def test_planning_is_a_fixed_number_of_queries(session: Session) -> None:
    _rotations(session, 1)
    few, few_messages = _plan_statements(session)
    _rotations(session, 9)
    many, many_messages = _plan_statements(session)
    assert (few_messages, many_messages) == (3, 30)  # post, user group, DM per rotation
    assert few == many == 6  # Slack rotations, the four of the reading facts, swaps
