"""The pure builders behind the onboarding pages: wording, checklist items, dashboard pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any, cast

from core.paging import page_of
from kb_links.models import Card
from onboarding.progress import Board, ReadinessEntry
from onboarding.readiness import CardProgress, ShiftFacts, ShiftReadiness, Status
from web.pages.onboarding.view import (
    MISSING_SHOWN,
    DashboardFilters,
    build_dashboard,
    checklist_item,
    matching,
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


def test_dashboard_rows_name_the_first_missing_cards() -> None:
    cards = {i: card(i) for i in range(1, 6)}
    board = Board(
        entries=[entry(2, Status.PENDING, (1, 2, 3, 4, 5)), entry(3, Status.OVERDUE, (2,))],
        counts={Status.READY: 4, Status.PENDING: 1, Status.OVERDUE: 1, Status.UNCOVERED: 0},
        total=12,
        page=page_of(12, number=2, size=10),
        cards=cards,
    )
    dashboard = build_dashboard(board)
    many, one = dashboard.rows
    assert many.missing_titles == ["Card 1", "Card 2", "Card 3"][:MISSING_SHOWN]
    assert many.more_missing == 5 - MISSING_SHOWN
    assert (one.missing_titles, one.more_missing) == (["Card 2"], 0)
    assert dashboard.counts == {"ready": 4, "pending": 1, "overdue": 1, "uncovered": 0}
    assert (dashboard.total, dashboard.page, dashboard.pages, dashboard.first_number) == (
        12,
        2,
        2,
        11,
    )


def test_matching_picks_one_status_or_all() -> None:
    entries = [entry(1, Status.READY), entry(2, Status.OVERDUE), entry(3, Status.READY)]
    assert [e.shift.id for e in matching(entries, status="ready")] == [1, 3]
    assert matching(entries, status="") == entries
