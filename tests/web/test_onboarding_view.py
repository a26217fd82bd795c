"""The pure builders behind the onboarding pages: wording, checklist items, dashboard pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any, cast

from hypothesis import given
from hypothesis import strategies as st

from kb_links.models import Card
from onboarding.progress import ReadinessEntry
from onboarding.readiness import CardProgress, ShiftFacts, ShiftReadiness, Status
from web.pages.onboarding_view import (
    MISSING_SHOWN,
    STATUS_LABELS,
    DashboardFilters,
    build_dashboard,
    checklist_item,
    progress_text,
)

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def card(card_id: int, *, url: str = "https://kb.example.com/x", version: int = 2) -> Card:
    return Card(id=card_id, title=f"Card {card_id}", url=url, version=version)


def entry(shift_id: int, status: Status, missing: tuple[int, ...] = ()) -> ReadinessEntry:
    facts = ShiftFacts(shift_id, 1, NOW, NOW + timedelta(days=7), 1)
    readiness = ShiftReadiness(facts, status, NOW, NOW, (*missing, 99), missing)
    return ReadinessEntry(cast(Any, SimpleNamespace(id=shift_id)), readiness)


def test_progress_wording() -> None:
    assert progress_text(done=3, required=7) == "3 of 7 cards read"
    assert progress_text(done=0, required=1) == "0 of 1 card read"
    assert progress_text(done=0, required=0) == "Nothing to read"


def test_a_checklist_item_says_whether_the_card_changed_since_it_was_read() -> None:
    unread = checklist_item(card(1), CardProgress(1, False, None, None))
    assert (unread.acknowledged, unread.read_version) == (False, None)
    changed = checklist_item(card(1), CardProgress(1, False, 1, NOW))
    assert changed.read_version == 1
    read = checklist_item(card(1), CardProgress(1, True, 2, NOW))
    assert (read.acknowledged, read.read_version, read.acknowledged_at) == (True, None, NOW)
    assert read.href == "https://kb.example.com/x"
    assert checklist_item(card(1, url="javascript:alert(1)"), read).href is None


def test_filters_make_links_that_keep_the_other_filters() -> None:
    assert DashboardFilters().query_string() == ""
    filters = DashboardFilters(rotation="tier2", status="overdue", weeks=4, page=3)
    assert filters.query_string() == "?rotation=tier2&status=overdue&weeks=4&page=3"
    assert filters.query_string(page=1) == "?rotation=tier2&status=overdue&weeks=4"
    assert filters.query_string(status="ready", page=1) == "?rotation=tier2&status=ready&weeks=4"
    assert filters.csv_query_string() == "?rotation=tier2&status=overdue&weeks=4"
    assert DashboardFilters(rotation="a&b=c").query_string() == "?rotation=a%26b%3Dc"
    assert not DashboardFilters(page=2).active and DashboardFilters(weeks=2).active


def test_the_dashboard_counts_every_status_and_pages_the_chosen_one() -> None:
    cards = {i: card(i) for i in range(1, 6)}
    entries = [
        entry(1, Status.READY),
        entry(2, Status.PENDING, (1, 2, 3, 4, 5)),
        entry(3, Status.OVERDUE, (2,)),
        entry(4, Status.PENDING, (3,)),
        entry(5, Status.UNCOVERED, (1,)),
        entry(6, Status.PENDING, ()),
    ]
    board = build_dashboard(
        entries, cards=cards, filters=DashboardFilters(status="pending", page=2), page_size=2
    )
    assert board.counts == {"ready": 1, "pending": 3, "overdue": 1, "uncovered": 1}
    assert (board.total, board.pages, board.page, board.first_number) == (3, 2, 2, 3)
    assert [row.entry.shift.id for row in board.rows] == [6]
    first = build_dashboard(
        entries, cards=cards, filters=DashboardFilters(status="pending"), page_size=2
    )
    many = first.rows[0]
    assert many.missing_titles == ["Card 1", "Card 2", "Card 3"][:MISSING_SHOWN]
    assert many.more_missing == 5 - MISSING_SHOWN


@given(
    st.lists(st.sampled_from(list(Status)), max_size=40),
    st.sampled_from(["", *STATUS_LABELS]),
    st.integers(min_value=1, max_value=50),
    st.integers(min_value=1, max_value=7),
)
def test_pages_hold_every_chosen_shift_once(
    statuses: list[Status], status: str, page: int, page_size: int
) -> None:
    entries = [entry(i, s) for i, s in enumerate(statuses, start=1)]
    expected = [e.shift.id for e in entries if not status or e.readiness.status.value == status]
    filters = DashboardFilters(status=status)
    board = build_dashboard(entries, cards={}, filters=filters, page_size=page_size)
    assert sum(board.counts.values()) == len(entries)
    assert board.total == len(expected)
    seen = []
    for number in range(1, board.pages + 1):
        rows = build_dashboard(
            entries,
            cards={},
            filters=DashboardFilters(status=status, page=number),
            page_size=page_size,
        ).rows
        assert 0 < len(rows) <= page_size or not expected
        seen.extend(row.entry.shift.id for row in rows)
    assert seen == expected
    beyond = build_dashboard(
        entries,
        cards={},
        filters=DashboardFilters(status=status, page=board.pages + page),
        page_size=page_size,
    )
    assert beyond.page == board.pages  # past the end shows the last page
