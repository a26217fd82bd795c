"""Reading summaries never change a readiness answer: after any sequence of events (reading
through the service or behind its back, major card changes, archiving, card sets and
requirements changing, shifts changing hands, refreshes), the report that trusts the
summaries equals the one derived from scratch."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kb_links.models import Card
from onboarding import (
    acks,
    facts,
    progress,
    readiness,
    report_records,
    summary,
    summary_board,
    summary_refresh,
)
from onboarding.models import CardSetItem, ReadingSummary, RotationRequirement
from rotation.models import Shift
from tests.conftest import DEFAULT_NOW
from tests.factories.kb_links import make_card
from tests.factories.onboarding import make_ack, make_card_set, make_requirement
from tests.factories.people import make_person
from tests.factories.rotation import make_rotation, make_shifts

NOW = DEFAULT_NOW
WINDOW = (NOW - timedelta(days=7), NOW + timedelta(weeks=8))

EVENTS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "read",  # through acks.acknowledge, which refreshes the reader's rows
                "read_behind",  # an acknowledgement row written directly
                "read_old",  # an outdated version, written directly
                "major_change",
                "archive",
                "unarchive",
                "add_item",
                "remove_item",
                "add_requirement",
                "remove_requirement",
                "reassign",
                "refresh_ahead",
                "refresh_person",
                "forget",
                "at_risk_days",
            ]
        ),
        st.integers(0, 1000),
        st.integers(0, 1000),
    ),
    max_size=14,
)


Answer = tuple[object, ...]


def _answers(entries: list[progress.ReadinessEntry]) -> list[Answer]:
    """Each entry's shift as shown (every field of its record) and its readiness."""
    return [(_shown(e.shift), *_readiness(e.readiness)) for e in entries]


def _readiness(r: readiness.ShiftReadiness) -> Answer:
    return (r.status, r.due_at, r.assigned_at, r.card_ids, r.missing)


def _shown(shift: report_records.ReportShift | Shift) -> Answer:
    """What a report shows of a shift, from its record or from its row."""
    rotation, person = shift.rotation, shift.person
    return (
        (shift.id, shift.uid, shift.index, shift.slot, shift.start, shift.end),
        (shift.kind, shift.role, shift.sequence, shift.cancelled_at, shift.person_id),
        (rotation.id, rotation.slug, rotation.name, rotation.timezone),
        None if person is None else (person.id, person.name, person.email),
    )


def _from_scratch(session: Session) -> list[Answer]:
    """The report's answers from the shifts' rows and every current acknowledgement."""
    where = facts.live_shift_conditions(Shift.start < WINDOW[1], Shift.end > WINDOW[0])
    reading = facts.load_reading(session, where=where)
    results = reading.judge(readiness.readiness, now=NOW)
    return [(_shown(reading.shifts_by_id[r.shift.id]), *_readiness(r)) for r in results]


def _summarized(session: Session) -> list[progress.ReadinessEntry]:
    return progress.report(session, start=WINDOW[0], end=WINDOW[1], rotation_ids=None, now=NOW)


class World:
    def __init__(self, session: Session) -> None:
        self.people = [make_person(session) for _ in range(4)]
        self.cards = [make_card(session) for _ in range(5)]
        self.sets = [
            make_card_set(session, cards=self.cards[:3]),
            make_card_set(session, cards=self.cards[2:]),
        ]
        self.rotations = [make_rotation(session, members=self.people[:3]) for _ in range(2)]
        make_requirement(session, rotation=self.rotations[0], card_set=self.sets[0])
        self.shifts = [
            shift
            for rotation in self.rotations
            for shift in make_shifts(
                session, rotation=rotation, people=[*self.people[:3], None], indexes=range(10, 23)
            )
        ]


def _apply(session: Session, world: World, event: str, a: int, b: int) -> None:
    person = world.people[a % len(world.people)]
    card = world.cards[b % len(world.cards)]
    card_set = world.sets[a % len(world.sets)]
    rotation = world.rotations[b % len(world.rotations)]
    if event == "read" and not card.archived:
        acks.acknowledge(session, person=person, card_id=card.id, version=None, now=NOW)
    elif event == "read_behind":
        make_ack(session, person=person, card=card)
    elif event == "read_old" and card.version > 1:
        make_ack(session, person=person, card=card, version=card.version - 1)
    elif event == "major_change":
        card.version += 1
    elif event in ("archive", "unarchive"):
        card.archived = event == "archive"
    elif event == "add_item" and not session.scalar(
        select(CardSetItem.id).where(
            CardSetItem.card_set_id == card_set.id, CardSetItem.card_id == card.id
        )
    ):
        session.add(CardSetItem(card_set_id=card_set.id, card_id=card.id, position=b % 7))
    elif event == "remove_item":
        session.execute(
            delete(CardSetItem).where(
                CardSetItem.card_set_id == card_set.id, CardSetItem.card_id == card.id
            )
        )
    elif event == "add_requirement" and not session.scalar(
        select(RotationRequirement.id).where(
            RotationRequirement.rotation_id == rotation.id,
            RotationRequirement.card_set_id == card_set.id,
        )
    ):
        make_requirement(session, rotation=rotation, card_set=card_set, due_days_before=a % 5)
    elif event == "remove_requirement":
        session.execute(
            delete(RotationRequirement).where(RotationRequirement.rotation_id == rotation.id)
        )
    elif event == "reassign":
        shift = world.shifts[a % len(world.shifts)]
        shift.person_id = world.people[b % len(world.people)].id if b % 5 else None
    elif event == "refresh_ahead":
        summary_refresh.refresh_ahead(session, now=NOW - timedelta(days=7))
    elif event == "refresh_person":
        summary_refresh.refresh_person(session, person_id=person.id, now=NOW)
    elif event == "forget":
        session.execute(delete(ReadingSummary))
    elif event == "at_risk_days":
        rotation.at_risk_days = a % 8
    session.flush()
    session.expire_all()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(events=EVENTS)
def test_the_summarised_report_always_equals_the_one_derived_from_scratch(
    session: Session, events: list[tuple[str, int, int]]
) -> None:
    nested = session.begin_nested()
    try:
        world = World(session)
        for event, a, b in events:
            _apply(session, world, event, a, b)
            assert _answers(_summarized(session)) == _from_scratch(session), event
            board = progress.board(
                session, start=WINDOW[0], end=WINDOW[1], rotation_ids=None, now=NOW
            )
            assert board.total == len(_from_scratch(session))
            _assert_boards_agree(session, pages=[(None, 1)])
        _assert_boards_agree(
            session, pages=[(None, 1), (None, 2), (None, 9)] + [(s, 1) for s in readiness.Status]
        )
    finally:
        nested.rollback()


def _board_answers(board: progress.Board) -> tuple[object, ...]:
    named = all(i in board.cards for e in board.entries for i in e.readiness.missing)
    return board.counts, board.total, board.page, _answers(board.entries), named


def _assert_boards_agree(
    session: Session, *, pages: list[tuple[readiness.Status | None, int]]
) -> None:
    """The page built from the summaries equals the one that judges every shift, and both
    show the shifts as the report derived from scratch does."""
    scratch = _from_scratch(session)
    for status, number in pages:
        window = {"start": WINDOW[0], "end": WINDOW[1], "rotation_ids": None, "now": NOW}
        paged = {"status": status, "page": number, "page_size": 5}
        expected = progress.board(session, **window, **paged)  # type: ignore[arg-type]
        chosen = [answer for answer in scratch if status in (None, answer[1])]
        shown = chosen[expected.page.start : expected.page.stop]
        assert _answers(expected.entries) == shown, (status, number)
        for most_listed in (summary_board.MOST_LISTED, 0):  # shifts by id, or by condition
            listing, summary_board.MOST_LISTED = summary_board.MOST_LISTED, most_listed
            try:
                found = summary_board.board(
                    session,
                    WINDOW,
                    rotation_ids=None,
                    now=NOW,
                    **paged,  # type: ignore[arg-type]
                )
            finally:
                summary_board.MOST_LISTED = listing
            assert _board_answers(found) == _board_answers(expected), (status, number)


def _stale_people(session: Session) -> set[int]:
    where = facts.live_shift_conditions(Shift.start < WINDOW[1], Shift.end > WINDOW[0])
    rows = session.execute(
        summary.alongside(select(Shift.person_id, Shift.rotation_id).where(*where))
    ).all()
    loaded = facts.load_facts(session, where=where)
    known = summary.known(
        [tuple(row) for row in rows],
        requirements=loaded.requirements,
        card_sets=loaded.card_sets,
        cards=loaded.card_facts,
    )
    return known.stale


def test_refreshed_summaries_are_believed_and_reading_keeps_them_so(session: Session) -> None:
    world = World(session)
    assert _stale_people(session) == {p.id for p in world.people[:3]}  # no rows yet
    assert summary_refresh.refresh_ahead(session, now=WINDOW[0]) > 0
    assert _stale_people(session) == set()
    acks.acknowledge(
        session, person=world.people[0], card_id=world.cards[0].id, version=None, now=NOW
    )
    assert _stale_people(session) == set()
    make_ack(session, person=world.people[1], card=world.cards[1])  # behind the service's back
    assert _stale_people(session) == {world.people[1].id}
    card = session.get(Card, world.cards[2].id)
    assert card is not None
    card.version += 1  # a major change: every row of the rotation requiring it is stale
    session.flush()
    assert _stale_people(session) == {p.id for p in world.people[:3]}
