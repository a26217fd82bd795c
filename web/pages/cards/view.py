"""What the card registry page shows: filtered rows with freshness, pure (no database)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import urlencode

from core.i18n import N_
from kb_links import freshness
from kb_links.models import Card
from kb_links.registry_queries import Summary
from onboarding.needed_by import NeededBy

# ``show`` filter value → its label; the first is the default.
SHOW_CHOICES: dict[str, str] = {
    "all": N_("All current cards"),
    "stale": N_("Stale only"),
    "archived": N_("Archived"),
}


@dataclass(frozen=True)
class Filters:
    """The registry's GET filters; blank ``collection``/``source`` mean "any"."""

    show: str = "all"
    collection: str = ""
    source: str = ""

    def query_string(self) -> str:
        """The filters as a query string (``?show=stale``), empty for the defaults."""
        params = {
            key: value
            for key, value in (
                ("show", "" if self.show == "all" else self.show),
                ("collection", self.collection),
                ("source", self.source),
            )
            if value
        }
        return "?" + urlencode(params) if params else ""

    @property
    def active(self) -> bool:
        return self != Filters()


@dataclass(frozen=True)
class CardRow:
    card: Card
    stale: bool
    due_at: datetime | None
    verifier_name: str | None
    # None when the stored URL is not http(s): shown as text, never as a clickable link.
    href: str | None
    can_verify: bool
    # The next shift that needs the card, if any.
    needed_by: NeededBy | None = None


@dataclass(frozen=True)
class Registry:
    rows: list[CardRow]
    current: int
    stale: int
    archived: int
    collections: list[str]
    sources: list[str]


def safe_href(url: str) -> str | None:
    """The URL if it is http(s); imports and the API check this already, pages check again."""
    return url if url.lower().startswith(("https://", "http://")) else None


def _matches(card: Card, *, stale: bool, filters: Filters) -> bool:
    if filters.show == "archived":
        if not card.archived:
            return False
    elif card.archived or (filters.show == "stale" and not stale):
        return False
    if filters.collection and card.collection != filters.collection:
        return False
    return not (filters.source and card.source != filters.source)


def _row(
    card: Card,
    *,
    stale: bool,
    verifier_names: Mapping[int, str],
    viewer_id: int,
    is_editor: bool,
) -> CardRow:
    return CardRow(
        card=card,
        stale=stale,
        due_at=freshness.verification_due_at(
            last_verified_at=card.last_verified_at, verify_every_days=card.verify_every_days
        ),
        verifier_name=(
            verifier_names.get(card.verifier_id) if card.verifier_id is not None else None
        ),
        href=safe_href(card.url),
        can_verify=is_editor or card.verifier_id == viewer_id,
    )


def _need_order(row: CardRow) -> tuple[bool, float]:
    """Soonest needed first; stable, so cards nobody needs keep their title order."""
    return (row.needed_by is None, row.needed_by.start.timestamp() if row.needed_by else 0.0)


def _choices(names: Iterable[str], chosen: str) -> set[str]:
    # A chosen filter stays selectable even when no card matches it any more.
    return {name for name in names if name} | ({chosen} if chosen else set())


def build_registry(
    cards: Iterable[Card],
    *,
    now: datetime,
    filters: Filters,
    verifier_names: Mapping[int, str],
    viewer_id: int,
    is_editor: bool,
    needed: Mapping[int, NeededBy] | None = None,
) -> Registry:
    """Rows for the cards matching ``filters``, plus counts and filter choices over all cards.

    Counts (current, stale, archived) ignore the filters so the page always says how many
    cards need verifying; archived cards never count as stale. The stale list comes in the
    order shifts need the cards (``needed``), cards no shift needs last.
    """
    needed = needed or {}
    every = [
        (
            card,
            freshness.is_stale(
                last_verified_at=card.last_verified_at,
                verify_every_days=card.verify_every_days,
                now=now,
            ),
        )
        for card in cards
    ]
    current = [stale for card, stale in every if not card.archived]
    rows = [
        _row(card, stale=stale, verifier_names=verifier_names, viewer_id=viewer_id,
             is_editor=is_editor)
        for card, stale in every
        if _matches(card, stale=stale, filters=filters)
    ]  # fmt: skip
    rows = [replace(row, needed_by=needed.get(row.card.id)) for row in rows]
    if filters.show == "stale":
        rows.sort(key=_need_order)
    collections = _choices((card.collection or "" for card, _stale in every), filters.collection)
    return Registry(
        rows=rows,
        current=len(current),
        stale=sum(current),
        archived=len(every) - len(current),
        collections=sorted(collections, key=lambda name: (name.lower(), name)),
        sources=sorted(_choices((card.source for card, _stale in every), filters.source)),
    )


def with_summary(registry: Registry, summary: Summary, *, filters: Filters) -> Registry:
    """The page's rows with the counts and choices of the whole registry (``summary``)."""
    return replace(
        registry,
        current=summary.current,
        stale=summary.stale,
        archived=summary.archived,
        collections=sorted(
            _choices(summary.collections, filters.collection), key=lambda n: (n.lower(), n)
        ),
        sources=sorted(_choices(summary.sources, filters.source)),
    )
