"""What a rotation's page shows, loaded by the domain in a fixed number of queries."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from core.models import Person
from rotation import page_view
from rotation.models import Rotation, SwapRequest
from tests.conftest import DEFAULT_NOW
from tests.factories import make_person, make_scheduled_rotation
from tests.probes import live_shifts
from tests.querycount import count_statements

WINDOW = (DEFAULT_NOW - timedelta(days=7), DEFAULT_NOW + timedelta(days=35))


def _load(session: Session, rotation: Rotation, viewer: Person) -> page_view.RotationPageView:
    session.expire_all()
    start, end = WINDOW
    return page_view.load(
        session, rotation=rotation, viewer=viewer, start=start, end=end, now=DEFAULT_NOW
    )


def test_the_view_holds_the_window_the_roster_and_the_viewers_choices(
    session: Session,
) -> None:
    ana, sam, priya = (make_person(session, name=name) for name in ("Ana", "Sam", "Priya"))
    rotation = make_scheduled_rotation(session, members=[ana, sam, priya])
    shifts = live_shifts(session, rotation)

    view = _load(session, rotation, ana)

    start, end = WINDOW
    assert [s.id for s in view.shifts] == [s.id for s in shifts if s.end > start and s.start < end]
    assert [s.id for s in view.on_call] == [s.id for s in shifts if s.start <= DEFAULT_NOW < s.end]
    assert view.next_handoff == min(s.start for s in shifts if s.start > DEFAULT_NOW)
    counts = {p.name: sum(s.person_id == p.id for s in shifts) for p in (ana, sam, priya)}
    assert view.fairness == [(name, counts[name]) for name in ("Ana", "Sam", "Priya")]
    ahead = [s for s in shifts if s.start > DEFAULT_NOW]
    assert [s.id for s in view.my_shifts] == [s.id for s in ahead if s.person_id == ana.id][:20]
    assert {s.person_id for s in view.trade_options} == {sam.id, priya.id}
    assert [p.name for p in view.cover_people(viewer=ana)] == ["Sam", "Priya"]
    assert not view.viewer_manages
    assert view.swaps == []


def test_someone_without_shifts_ahead_gets_nothing_to_trade(session: Session) -> None:
    ana, outsider = make_person(session, name="Ana"), make_person(session, name="Out")
    rotation = make_scheduled_rotation(session, members=[ana], manager_ids=[outsider.id])

    view = _load(session, rotation, outsider)

    assert view.my_shifts == [] and view.trade_options == []
    assert view.viewer_manages
    assert view.cover_people(viewer=outsider) == []  # nothing of theirs to cover


def test_a_feed_link_to_a_shift_opens_its_month_on_the_viewers_clock(session: Session) -> None:
    ana = make_person(session, name="Ana")
    rotation = make_scheduled_rotation(
        session, members=[ana], start_date=date(2026, 11, 30), handoff_time="20:00"
    )
    other = make_scheduled_rotation(session, name="Other", members=[make_person(session)])
    first = live_shifts(session, rotation)[0]  # Mon 30 Nov 2026, 20:00 UTC

    assert page_view.month_of_shift(
        session, rotation=rotation, shift_id=first.id, timezone="UTC"
    ) == date(2026, 11, 1)
    # Already Tuesday 1 December in Auckland.
    assert page_view.month_of_shift(
        session, rotation=rotation, shift_id=first.id, timezone="Pacific/Auckland"
    ) == date(2026, 12, 1)
    elsewhere = live_shifts(session, other)[0]
    assert (
        page_view.month_of_shift(session, rotation=rotation, shift_id=elsewhere.id, timezone="UTC")
        is None
    )
    assert (
        page_view.month_of_shift(session, rotation=rotation, shift_id=2**31 - 1, timezone="UTC")
        is None
    )


def _with_swaps(session: Session, size: int) -> tuple[Rotation, Person]:
    viewer = make_person(session)
    rotation = make_scheduled_rotation(
        session,
        name=f"size-{size}",
        members=[viewer] + [make_person(session) for _ in range(size)],
        people_per_shift=2,
    )
    ahead = [s for s in live_shifts(session, rotation) if s.start > DEFAULT_NOW]
    for other in [s for s in ahead if s.person_id not in (None, viewer.id)][:size]:
        assert other.person_id is not None
        session.add(
            SwapRequest(
                shift_id=other.id,
                requester_id=other.person_id,
                counterpart_person_id=viewer.id,
                shift_sequence=other.sequence,
                status="pending",
                created_at=DEFAULT_NOW,
                updated_at=DEFAULT_NOW,
            )
        )
    session.flush()
    return rotation, viewer


def test_loading_runs_the_same_queries_for_a_small_and_a_large_rotation(
    session: Session,
) -> None:
    def statements_for(size: int) -> int:
        rotation, viewer = _with_swaps(session, size)
        session.expire_all()
        with count_statements(session) as statements:
            view = _load(session, rotation, viewer)
            assert len(view.swaps) == size
        return len(statements)

    assert statements_for(2) == statements_for(12)
