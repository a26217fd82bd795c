"""What the home, checklist and readiness pages show, built from plain results (no database)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from core import i18n
from core.i18n import N_
from kb_links.models import Card
from onboarding.progress import Board, ChecklistEntry, ReadinessEntry
from onboarding.readiness import CardProgress, Status
from web.pages.cards.view import safe_href

# In English; templates show them through _() in the viewer's language.
STATUS_LABELS: dict[str, str] = {
    Status.READY.value: N_("Ready"),
    Status.PENDING.value: N_("Pending"),
    Status.OVERDUE.value: N_("Overdue"),
    Status.UNCOVERED.value: N_("Uncovered"),
    Status.AT_RISK.value: N_("At risk"),
}
# Weeks ahead the readiness dashboard offers; any whole number up to the maximum is accepted.
WEEK_CHOICES = (1, 2, 4, 8, 12, 26)
DEFAULT_WEEKS = 8
MAX_WEEKS = 104
PAGE_SIZE = 100
# Missing cards named per dashboard row before "and N more".
MISSING_SHOWN = 3


def progress_text(*, done: int, required: int, locale: str = i18n.DEFAULT) -> str:
    """``3 of 7 cards read``; the words a progress bar is announced with."""
    if required == 0:
        return i18n.gettext(locale, "Nothing to read")
    return i18n.ngettext(
        locale,
        "%(done)s of %(count)s card read",
        "%(done)s of %(count)s cards read",
        required,
        done=i18n.format_number(done, locale=locale),
    )


# --- the checklist ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistItem:
    card: Card
    # None when the stored URL is not http(s): shown as text, never as a link.
    href: str | None
    acknowledged: bool
    acknowledged_at: datetime | None
    # The older version the person read, when the card changed since; else None.
    read_version: int | None
    # The revision note when the card had a major change since the person's last shift.
    since_last_shift: str | None = None


@dataclass(frozen=True)
class ChecklistShift:
    entry: ChecklistEntry
    items: list[ChecklistItem]

    @property
    def status(self) -> str:
        return self.entry.readiness.status.value

    @property
    def changed(self) -> int:
        """How many cards changed since the person last read them."""
        return sum(1 for item in self.items if item.read_version is not None)


def checklist_item(
    card: Card, state: CardProgress, *, since_last_shift: str | None = None
) -> ChecklistItem:
    return ChecklistItem(
        card=card,
        href=safe_href(card.url),
        acknowledged=state.acknowledged,
        acknowledged_at=state.acknowledged_at,
        read_version=None if state.acknowledged else state.acknowledged_version,
        since_last_shift=since_last_shift,
    )


def checklist_shifts(entries: Sequence[ChecklistEntry]) -> list[ChecklistShift]:
    """One block per shift, each card marked read, unread, or changed since it was read;
    cards changed since the person's last shift come first, with their revision notes."""
    return [
        ChecklistShift(
            entry,
            [
                checklist_item(
                    card,
                    state,
                    since_last_shift=entry.changed[card.id].note
                    if card.id in entry.changed
                    else None,
                )
                for card, state in entry.cards
            ],
        )
        for entry in entries
    ]


# --- the readiness dashboard -----------------------------------------------------------------


@dataclass(frozen=True)
class DashboardFilters:
    """The dashboard's GET parameters; blank ``rotation``/``status`` mean "any"."""

    rotation: str = ""
    status: str = ""
    weeks: int = DEFAULT_WEEKS
    page: int = 1

    def params(self, *, page: int | None = None, status: str | None = None) -> dict[str, str]:
        """The non-default filters as query parameters, optionally with another page/status."""
        chosen_status = self.status if status is None else status
        chosen_page = self.page if page is None else page
        pairs = (
            ("rotation", self.rotation),
            ("status", chosen_status),
            ("weeks", "" if self.weeks == DEFAULT_WEEKS else str(self.weeks)),
            ("page", "" if chosen_page == 1 else str(chosen_page)),
        )
        return {key: value for key, value in pairs if value}

    def query_string(self, *, page: int | None = None, status: str | None = None) -> str:
        params = self.params(page=page, status=status)
        return "?" + urlencode(params) if params else ""

    def csv_query_string(self) -> str:
        """The filters for the CSV export: every row they select, not one page."""
        params = self.params(page=1)
        return "?" + urlencode(params) if params else ""

    @property
    def active(self) -> bool:
        return (self.rotation, self.status, self.weeks) != ("", "", DEFAULT_WEEKS)


@dataclass(frozen=True)
class DashboardRow:
    entry: ReadinessEntry
    missing_titles: list[str]
    more_missing: int

    @property
    def status(self) -> str:
        return self.entry.readiness.status.value


@dataclass(frozen=True)
class Dashboard:
    rows: list[DashboardRow]
    # Shifts per status in the chosen rotation(s) and window, whatever the status filter.
    counts: dict[str, int]
    # Shifts matching every filter, over all pages.
    total: int
    page: int
    pages: int
    # The number of the first row shown, counting from 1 (0 when none is).
    first_number: int


def matching(entries: Sequence[ReadinessEntry], *, status: str) -> list[ReadinessEntry]:
    """The entries with ``status`` ("" for all)."""
    if not status:
        return list(entries)
    return [entry for entry in entries if entry.readiness.status.value == status]


def build_dashboard(board: Board) -> Dashboard:
    """The rows of the board's page, each naming its first few missing cards."""
    rows = []
    for entry in board.entries:
        missing = entry.readiness.missing
        rows.append(
            DashboardRow(
                entry=entry,
                missing_titles=[board.cards[card_id].title for card_id in missing[:MISSING_SHOWN]],
                more_missing=max(0, len(missing) - MISSING_SHOWN),
            )
        )
    return Dashboard(
        rows=rows,
        counts={status.value: count for status, count in board.counts.items()},
        total=board.total,
        page=board.page.number,
        pages=board.page.pages,
        first_number=board.page.start + 1 if rows else 0,
    )
