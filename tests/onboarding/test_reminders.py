"""Which reminders are due, and how several become one digest."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from onboarding.messages import CardInfo, Recipient, ShiftInfo, Text, digest, render
from onboarding.readiness import (
    CardFacts,
    RequirementFacts,
    ShiftFacts,
    ShiftReadiness,
    checklist,
)
from onboarding.reminders import (
    Kind,
    Reminder,
    RequiredCard,
    shift_reminders,
    stale_card_reminders,
)
from tests.onboarding.ack_index import AckFacts, index_acks

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
ALICE, MANAGER, VERIFIER = 1, 7, 9
CARDS = {1: CardFacts(1, 1), 2: CardFacts(2, 1)}
SETS = {100: [1, 2]}
REQUIREMENT = RequirementFacts(1, 1, 100, 21, 2)


def entries_at(
    starts: list[datetime], acks: Sequence[AckFacts] = (), now: datetime = NOW
) -> list[ShiftReadiness]:
    shifts = [
        ShiftFacts(i, 1, start, start + timedelta(days=7), ALICE)
        for i, start in enumerate(starts, start=1)
    ]
    return checklist(
        shifts,
        requirements=[REQUIREMENT],
        card_sets=SETS,
        cards=CARDS,
        acks=index_acks(acks),
        now=now,
    )


def kinds(reminders: list[Reminder]) -> list[tuple[str, int]]:
    return [(r.key, r.recipient_id) for r in reminders]


def test_entering_the_assign_window_asks_for_the_reading() -> None:
    reminders = shift_reminders(
        entries_at([NOW + timedelta(days=10)]), managers={1: [MANAGER]}, now=NOW
    )
    assert kinds(reminders) == [("assign:1:1", ALICE)]
    (assign,) = reminders
    assert assign.kind is Kind.ASSIGN
    assert assign.card_ids == (1, 2)
    assert assign.due_at == NOW + timedelta(days=8)


def test_nothing_before_the_window_or_once_everything_is_read() -> None:
    assert shift_reminders(entries_at([NOW + timedelta(days=30)]), managers={}, now=NOW) == []
    read = [AckFacts(ALICE, 1, 1, NOW), AckFacts(ALICE, 2, 1, NOW)]
    assert shift_reminders(entries_at([NOW + timedelta(days=10)], read), managers={}, now=NOW) == []


def test_one_day_before_due_a_second_reminder_joins() -> None:
    start = NOW + timedelta(days=2, hours=12)  # due in 12 hours
    reminders = shift_reminders(entries_at([start]), managers={1: [MANAGER]}, now=NOW)
    assert kinds(reminders) == [("assign:1:1", ALICE), ("due-soon:1:1", ALICE)]


def test_overdue_goes_to_the_person_and_every_manager() -> None:
    start = NOW + timedelta(days=1)  # due yesterday
    reminders = shift_reminders(entries_at([start]), managers={1: [MANAGER, 8]}, now=NOW)
    assert kinds(reminders) == [
        ("overdue:1:1", ALICE),
        ("overdue-manager:1:1:7", MANAGER),
        ("overdue-manager:1:1:8", 8),
    ]
    assert all(r.person_id == ALICE for r in reminders)
    own = shift_reminders(entries_at([start]), managers={1: [ALICE, MANAGER]}, now=NOW)
    assert kinds(own) == [("overdue:1:1", ALICE), ("overdue-manager:1:1:7", MANAGER)]


def test_no_reminder_for_a_shift_that_is_over() -> None:
    start = NOW - timedelta(days=8)
    assert shift_reminders(entries_at([start]), managers={1: [MANAGER]}, now=NOW) == []


def test_stale_required_cards_go_to_their_verifier_once_per_verification() -> None:
    cards = [
        RequiredCard(1, VERIFIER, NOW - timedelta(days=91), 90),
        RequiredCard(2, VERIFIER, NOW - timedelta(days=10), 90),
        RequiredCard(3, None, None, 90),
        RequiredCard(4, VERIFIER, None, 90),
    ]
    reminders = stale_card_reminders(cards, now=NOW)
    assert kinds(reminders) == [("stale:1:2026-08-25:9", VERIFIER), ("stale:4:never:9", VERIFIER)]
    assert reminders[0].due_at == NOW - timedelta(days=1)


def test_each_of_a_persons_due_shifts_gets_its_own_reminder() -> None:
    starts = [NOW + timedelta(days=d) for d in (5, 10, 15)]
    due = shift_reminders(entries_at(starts), managers={}, now=NOW)
    assert [reminder.recipient_id for reminder in due] == [ALICE, ALICE, ALICE]
    assert len({reminder.key for reminder in due}) == 3


@given(
    st.lists(st.integers(min_value=-24 * 10, max_value=24 * 30), max_size=6),
    st.lists(st.sampled_from([1, 2]), max_size=2),
    st.lists(st.integers(min_value=50, max_value=52), max_size=2),
)
def test_keys_are_unique_and_ready_shifts_are_left_alone(
    offsets: list[int], read: list[int], managers: list[int]
) -> None:
    entries = entries_at(
        [NOW + timedelta(hours=h) for h in offsets], [AckFacts(ALICE, c, 1, NOW) for c in read]
    )
    reminders = shift_reminders(entries, managers={1: sorted(set(managers))}, now=NOW)
    keys = [r.key for r in reminders]
    assert len(keys) == len(set(keys))
    ready = {e.shift.id for e in entries if not e.missing}
    assert not any(r.shift_id in ready for r in reminders)
    for reminder in reminders:
        assert reminder.card_ids and set(reminder.card_ids) <= {1, 2} - set(read)
        assert (reminder.kind in (Kind.OVERDUE, Kind.OVERDUE_MANAGER)) == (
            reminder.due_at is not None and reminder.due_at <= NOW
        )


ANA = Recipient(ALICE, "Ana", "ana@example.com", "Europe/Amsterdam")


def test_texts_name_the_cards_and_show_times_in_the_readers_zone() -> None:
    (reminder,) = shift_reminders(entries_at([NOW + timedelta(days=10)]), managers={}, now=NOW)
    text = render(
        reminder,
        recipient=ANA,
        reader=ANA,
        shift=ShiftInfo(1, "Tier 2", NOW + timedelta(days=10), NOW + timedelta(days=17)),
        cards=[
            CardInfo(1, "Refunds", "https://kb/1", 3),
            CardInfo(2, "Escalation", "https://kb/2", 1),
        ],
        base_url="https://allhands.example.com",
    )
    assert text.subject == "Reading for your Tier 2 shift on Fri 04 Dec 2026, 11:00 CET"
    assert "by Wed 02 Dec 2026, 11:00 CET" in text.body
    assert "Refunds (version 3): https://kb/1" in text.body
    assert "https://allhands.example.com/me/checklist" in text.body


def test_a_digest_bundles_several_texts_and_a_single_text_stays_as_it_is() -> None:
    one = Text("First", "Hello Ana,\n\nRead this.")
    two = Text("Second", "Hello Ana,\n\nRead that.")
    assert digest([one], recipient_name="Ana") == one
    both = digest([one, two], recipient_name="Ana")
    assert both.subject == "allhands: 2 reminders"
    assert both.body == "Hello Ana,\n\n1. First\n\nRead this.\n\n2. Second\n\nRead that."
