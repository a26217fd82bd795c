"""Checklists and readiness from the database: transitions, swaps, and a fixed query count."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import FixedClock
from core.errors import Invalid
from core.models import Person
from kb_links.models import Card
from onboarding import progress, report_records
from onboarding.readiness import Status
from rotation.models import Rotation
from tests.factories import (
    make_ack,
    make_card,
    make_card_set,
    make_person,
    make_requirement,
    make_rotation,
    make_shift,
)
from tests.querycount import count_statements


def statuses(session: Session, now: datetime, rotation: Rotation | None = None) -> dict[int, str]:
    entries = progress.report(
        session,
        start=now,
        end=now + timedelta(weeks=8),
        rotation_ids=None if rotation is None else [rotation.id],
        now=now,
    )
    return {e.shift.id: e.readiness.status.value for e in entries}


class World:
    """One rotation requiring two cards, Ana on next week's shift."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.ana = make_person(session, name="Ana")
        self.bo = make_person(session, name="Bo")
        self.rotation = make_rotation(session, members=[self.ana, self.bo])
        self.cards = [make_card(session), make_card(session)]
        card_set = make_card_set(session, cards=self.cards)
        make_requirement(
            session,
            rotation=self.rotation,
            card_set=card_set,
            assign_days_before=21,
            due_days_before=2,
        )
        self.shift = make_shift(
            session, rotation=self.rotation, start=now + timedelta(days=6), person=self.ana
        )


def read_all(session: Session, person: Person, cards: list[Card], at: datetime) -> None:
    for card in cards:
        make_ack(session, person=person, card=card, at=at)


def test_pending_then_ready_then_a_major_change_then_overdue(
    session: Session, clock: FixedClock
) -> None:
    world = World(session, clock.now())
    now = clock.now()
    assert statuses(session, now) == {world.shift.id: "pending"}

    read_all(session, world.ana, world.cards, now)
    assert statuses(session, now) == {world.shift.id: "ready"}

    world.cards[1].version += 1
    session.flush()
    assert statuses(session, now) == {world.shift.id: "pending"}

    later = now + timedelta(days=4, hours=1)  # past due (start - 2 days)
    assert statuses(session, later) == {world.shift.id: "overdue"}
    (entry,) = progress.report(
        session, start=later, end=later + timedelta(days=30), rotation_ids=None, now=later
    )
    assert entry.readiness.missing == (world.cards[1].id,)
    assert entry.readiness.due_at == world.shift.start - timedelta(days=2)


def test_a_swap_moves_the_reading_to_the_new_person_at_once(
    session: Session, clock: FixedClock
) -> None:
    world = World(session, clock.now())
    read_all(session, world.ana, world.cards, clock.now())
    assert statuses(session, clock.now()) == {world.shift.id: "ready"}

    # What the rotation service does on a swap: same row, new person, next sequence.
    world.shift.person_id = world.bo.id
    world.shift.kind = "swap"
    world.shift.sequence += 1
    session.flush()
    session.expire(world.shift)
    assert statuses(session, clock.now()) == {world.shift.id: "pending"}
    assert progress.checklist(session, person=world.ana, now=clock.now()) == []
    (entry,) = progress.checklist(session, person=world.bo, now=clock.now())
    assert entry.shift.id == world.shift.id
    assert entry.readiness.done == 0

    read_all(session, world.bo, world.cards, clock.now())
    assert statuses(session, clock.now()) == {world.shift.id: "ready"}


def test_uncovered_cancelled_and_archived_shifts(session: Session, clock: FixedClock) -> None:
    world = World(session, clock.now())
    now = clock.now()
    gap = make_shift(session, rotation=world.rotation, start=now + timedelta(days=13), person=None)
    cancelled = make_shift(
        session, rotation=world.rotation, start=now + timedelta(days=20), person=world.bo
    )
    cancelled.cancelled_at = now
    archived = make_rotation(session, archived=True)
    make_shift(session, rotation=archived, start=now + timedelta(days=3), person=world.bo)
    session.flush()
    assert statuses(session, now) == {world.shift.id: "pending", gap.id: "uncovered"}


def test_a_shift_without_requirements_is_ready_with_nothing_to_read(
    session: Session, clock: FixedClock
) -> None:
    person = make_person(session)
    rotation = make_rotation(session)
    shift = make_shift(
        session, rotation=rotation, start=clock.now() + timedelta(days=2), person=person
    )
    (entry,) = progress.report(
        session,
        start=clock.now(),
        end=clock.now() + timedelta(days=7),
        rotation_ids=None,
        now=clock.now(),
    )
    assert entry.shift.id == shift.id
    assert (entry.readiness.status.value, entry.readiness.required, entry.readiness.due_at) == (
        "ready",
        0,
        None,
    )


def test_report_is_limited_to_the_given_rotations_and_the_window(
    session: Session, clock: FixedClock
) -> None:
    world = World(session, clock.now())
    other = make_rotation(session)
    far = make_shift(
        session, rotation=world.rotation, start=clock.now() + timedelta(weeks=9), person=world.bo
    )
    other_shift = make_shift(
        session, rotation=other, start=clock.now() + timedelta(days=1), person=world.bo
    )
    assert statuses(session, clock.now(), world.rotation) == {world.shift.id: "pending"}
    assert set(statuses(session, clock.now())) == {world.shift.id, other_shift.id}
    assert far.id not in statuses(session, clock.now())


def test_checklist_shows_outdated_reads_with_their_version(
    session: Session, clock: FixedClock
) -> None:
    world = World(session, clock.now())
    earlier = clock.now() - timedelta(days=40)
    read_all(session, world.ana, world.cards, earlier)
    world.cards[0].version = 2
    session.flush()
    (entry,) = progress.checklist(session, person=world.ana, now=clock.now())
    (first, first_state), (_second, second_state) = entry.cards
    assert first.id == world.cards[0].id
    assert (first_state.acknowledged, first_state.acknowledged_version) == (False, 1)
    assert first_state.acknowledged_at == earlier
    assert (second_state.acknowledged, second_state.acknowledged_version) == (True, 1)
    assert entry.readiness.status.value == "pending"


def test_checklist_shows_the_first_time_the_current_version_was_read(
    session: Session, clock: FixedClock
) -> None:
    world = World(session, clock.now())
    early, late = clock.now() - timedelta(days=3), clock.now() - timedelta(days=1)
    card = world.cards[0]
    make_ack(session, person=world.ana, card=card, at=late)
    make_ack(session, person=world.ana, card=card, at=early)
    make_ack(session, person=world.ana, card=card, version=card.version + 1, at=late)

    (entry,) = progress.checklist(session, person=world.ana, now=clock.now())

    (_card, state), _second = entry.cards
    assert (state.acknowledged, state.acknowledged_version, state.acknowledged_at) == (
        True,
        card.version,
        early,
    )


def test_checklist_leaves_out_shifts_before_their_assign_window(
    session: Session, clock: FixedClock
) -> None:
    world = World(session, clock.now())
    make_shift(
        session, rotation=world.rotation, start=clock.now() + timedelta(days=40), person=world.ana
    )
    entries = progress.checklist(session, person=world.ana, now=clock.now())
    assert [e.shift.id for e in entries] == [world.shift.id]
    assert entries[0].readiness.assigned_at == world.shift.start - timedelta(days=21)


def test_window_defaults_and_bounds(clock: FixedClock) -> None:
    now = clock.now()
    assert progress.resolve_window(start=None, end=None, now=now) == (now, now + timedelta(weeks=8))
    with pytest.raises(Invalid):
        progress.resolve_window(start=now, end=now, now=now)
    with pytest.raises(Invalid):
        progress.resolve_window(start=now, end=now + timedelta(days=800), now=now)


def build(session: Session, now: datetime, *, rotations: int, people: int, cards: int) -> None:
    """Rotations with weekly shifts for eight weeks, a shared card set and some reading."""
    persons = [make_person(session) for _ in range(people)]
    all_cards = [make_card(session) for _ in range(cards)]
    card_set = make_card_set(session, cards=all_cards)
    for r in range(rotations):
        rotation = make_rotation(session, managers=[persons[r % people]])
        make_requirement(session, rotation=rotation, card_set=card_set)
        for week in range(8):
            person = persons[(r + week) % people] if week % 5 else None
            make_shift(session, rotation=rotation, start=now + timedelta(weeks=week), person=person)
    for i, person in enumerate(persons):
        for card in all_cards[: i % (cards + 1)]:
            make_ack(session, person=person, card=card, at=now - timedelta(days=i))


@pytest.mark.parametrize("size", [1, 4])
def test_readiness_and_checklist_take_a_fixed_number_of_queries(
    session: Session, clock: FixedClock, size: int
) -> None:
    now = clock.now()
    build(session, now, rotations=2 * size, people=3 * size, cards=4 * size)
    person = make_person(session)
    session.flush()
    with count_statements(session) as report_queries:
        entries = progress.report(
            session, start=now, end=now + timedelta(weeks=8), rotation_ids=None, now=now
        )
    assert len(entries) == 16 * size
    assert len(report_queries) == 4, report_queries
    with count_statements(session) as checklist_queries:
        progress.checklist(session, person=person, now=now)
    assert len(checklist_queries) == 4, checklist_queries


def test_the_reports_shifts_are_records_with_their_rotation_and_person(
    session: Session, clock: FixedClock
) -> None:
    world = World(session, clock.now())
    session.expunge_all()
    (entry,) = progress.report(
        session,
        start=clock.now(),
        end=clock.now() + timedelta(days=30),
        rotation_ids=None,
        now=clock.now(),
    )
    assert isinstance(entry.shift, report_records.ReportShift)
    assert not session.identity_map  # no row objects behind them
    assert entry.shift.rotation.slug == world.rotation.slug
    assert entry.shift.rotation.name == world.rotation.name
    assert entry.shift.person is not None and entry.shift.person.name == "Ana"
    assert entry.shift.person_id == entry.shift.person.id == world.ana.id


# --- the home page's outlook and the readiness board --------------------------------------


def test_upcoming_lists_the_persons_shifts_with_progress_or_when_reading_opens(
    session: Session, clock: FixedClock
) -> None:
    now = clock.now()
    world = World(session, now)
    read_all(session, world.ana, world.cards[:1], now)
    later = make_shift(
        session, rotation=world.rotation, start=now + timedelta(days=41), person=world.ana
    )
    free_rotation = make_rotation(session)
    nothing_to_read = make_shift(
        session, rotation=free_rotation, start=now + timedelta(days=20), person=world.ana
    )
    make_shift(session, rotation=world.rotation, start=now + timedelta(days=13), person=world.bo)
    make_shift(session, rotation=world.rotation, start=now + timedelta(days=90), person=world.ana)
    make_shift(session, rotation=world.rotation, start=now - timedelta(days=8), person=world.ana)

    result = progress.upcoming(session, person=world.ana, now=now, until=now + timedelta(days=60))

    assert [u.shift.id for u in result] == [world.shift.id, nothing_to_read.id, later.id]
    first, free, last = result
    assert first.shift.rotation.name == world.rotation.name
    assert first.outlook.checklist is not None
    assert (first.outlook.checklist.done, first.outlook.checklist.required) == (1, 2)
    assert (free.outlook.checklist, free.outlook.opens_at) == (None, None)
    assert last.outlook.checklist is None
    assert last.outlook.opens_at == later.start - timedelta(days=21)


def test_board_names_the_cards_behind_the_report(session: Session, clock: FixedClock) -> None:
    now = clock.now()
    world = World(session, now)
    result = progress.board(
        session, start=now, end=now + timedelta(weeks=8), rotation_ids=None, now=now
    )
    (entry,) = result.entries
    assert entry.shift.person is not None and entry.shift.person.name == "Ana"
    assert entry.shift.rotation.slug == world.rotation.slug
    assert entry.readiness.missing == tuple(card.id for card in world.cards)
    assert {result.cards[card_id].title for card_id in entry.readiness.missing} == {
        card.title for card in world.cards
    }


def test_board_counts_every_status_and_pages_the_chosen_one(
    session: Session, clock: FixedClock
) -> None:
    now = clock.now()
    world = World(session, now)
    read_all(session, world.bo, world.cards, now)
    shifts = [world.shift] + [
        make_shift(
            session,
            rotation=world.rotation,
            start=now + timedelta(days=6 + 7 * week),
            person=(world.bo, None, world.ana)[week % 3],
        )
        for week in range(1, 7)
    ]  # weeks 1..6: nobody, Ana, Bo, nobody, Ana, Bo
    everything = progress.report(
        session, start=now, end=now + timedelta(weeks=8), rotation_ids=None, now=now
    )

    def board(**kwargs: object) -> progress.Board:
        return progress.board(
            session,
            start=now,
            end=now + timedelta(weeks=8),
            rotation_ids=None,
            now=now,
            **kwargs,
        )

    whole = board()
    assert [e.shift.id for e in whole.entries] == [e.shift.id for e in everything]
    assert [e.readiness for e in whole.entries] == [e.readiness for e in everything]
    assert whole.counts == {Status.READY: 2, Status.PENDING: 3, Status.OVERDUE: 0,
                            Status.UNCOVERED: 2, Status.AT_RISK: 0}  # fmt: skip
    pending = board(status=Status.PENDING, page=2, page_size=2)
    assert (pending.total, pending.page.number, pending.page.pages) == (3, 2, 2)
    assert [e.shift.id for e in pending.entries] == [shifts[5].id]
    assert pending.counts == whole.counts
    past_the_end = board(status=Status.UNCOVERED, page=7, page_size=1)
    assert past_the_end.page.number == 2
    assert [e.shift.id for e in past_the_end.entries] == [shifts[4].id]
    assert board(status=Status.OVERDUE).entries == []


@pytest.mark.parametrize("size", [1, 4])
def test_upcoming_and_board_take_a_fixed_number_of_queries(
    session: Session, clock: FixedClock, size: int
) -> None:
    now = clock.now()
    build(session, now, rotations=2 * size, people=3, cards=4 * size)
    person = session.scalars(select(Person).order_by(Person.id.desc())).first()
    assert person is not None
    session.flush()
    with count_statements(session) as upcoming_queries:
        result = progress.upcoming(session, person=person, now=now, until=now + timedelta(weeks=8))
    assert result
    assert len(upcoming_queries) == 4, upcoming_queries
    with count_statements(session) as board_queries:
        board = progress.board(
            session,
            start=now,
            end=now + timedelta(weeks=8),
            rotation_ids=None,
            now=now,
            page_size=10,
        )
    assert board.total == 16 * size and len(board.entries) == 10
    assert len(board_queries) == 5, board_queries
