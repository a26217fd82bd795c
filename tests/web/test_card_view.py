"""The registry's rows, counts and filters, straight from plain cards (no database)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs

from hypothesis import given
from hypothesis import strategies as st

from kb_links.models import Card
from tests.conftest import DEFAULT_NOW
from web.pages.cards.view import SHOW_CHOICES, Filters, Registry, build_registry, safe_href

NOW = DEFAULT_NOW


def card(
    card_id: int,
    *,
    verified_days_ago: int | None = 0,
    every: int = 90,
    collection: str | None = None,
    source: str = "link",
    archived: bool = False,
    verifier_id: int | None = None,
    url: str = "https://kb.example.com/x",
) -> Card:
    return Card(
        id=card_id,
        title=f"Card {card_id}",
        url=url,
        source=source,
        collection=collection,
        verifier_id=verifier_id,
        verify_every_days=every,
        last_verified_at=(
            None if verified_days_ago is None else NOW - timedelta(days=verified_days_ago)
        ),
        version=1,
        archived=archived,
    )


def registry(
    cards: list[Card],
    filters: Filters | None = None,
    *,
    viewer_id: int = 1,
    is_editor: bool = False,
    verifier_names: dict[int, str] | None = None,
) -> Registry:
    return build_registry(
        cards,
        now=NOW,
        filters=filters or Filters(),
        verifier_names=verifier_names or {},
        viewer_id=viewer_id,
        is_editor=is_editor,
    )


def test_stale_is_never_verified_or_past_the_interval() -> None:
    cards = [
        card(1, verified_days_ago=10, every=30),
        card(2, verified_days_ago=30, every=30),  # due exactly now: stale
        card(3, verified_days_ago=None),
        card(4, verified_days_ago=400, archived=True),
    ]
    view = registry(cards)
    assert [(r.card.id, r.stale) for r in view.rows] == [(1, False), (2, True), (3, True)]
    assert (view.current, view.stale, view.archived) == (3, 2, 1)
    assert view.rows[0].due_at == NOW + timedelta(days=20)
    assert view.rows[2].due_at is None


def test_filters_combine_and_choices_come_from_every_card() -> None:
    cards = [
        card(1, collection="Billing", source="guru", verified_days_ago=None),
        card(2, collection="billing", source="notion"),
        card(3, collection="Engineering", source="guru", archived=True),
    ]
    assert [r.card.id for r in registry(cards, Filters(source="guru")).rows] == [1]
    assert [r.card.id for r in registry(cards, Filters(show="archived")).rows] == [3]
    only = registry(cards, Filters(show="stale", collection="billing")).rows
    assert only == []
    view = registry(cards, Filters(collection="Gone"))
    assert view.collections == ["Billing", "billing", "Engineering", "Gone"]
    assert view.sources == ["guru", "notion"]


def test_who_may_verify_and_verifier_names() -> None:
    cards = [card(1, verifier_id=7), card(2, verifier_id=8), card(3)]
    view = registry(cards, viewer_id=7, verifier_names={7: "Vera", 8: "Otto"})
    assert [(r.verifier_name, r.can_verify) for r in view.rows] == [
        ("Vera", True),
        ("Otto", False),
        (None, False),
    ]
    assert all(r.can_verify for r in registry(cards, viewer_id=7, is_editor=True).rows)


def test_only_http_links_are_links() -> None:
    assert safe_href("https://kb.example.com/a") == "https://kb.example.com/a"
    assert safe_href("HTTP://kb.example.com/a") == "HTTP://kb.example.com/a"
    for url in ("javascript:alert(1)", "data:text/html,x", " https://x", "//kb.example.com"):
        assert safe_href(url) is None


def test_query_string_keeps_only_what_differs_from_the_defaults() -> None:
    assert Filters().query_string() == ""
    assert not Filters().active
    query = Filters(show="stale", collection="Billing & Co", source="guru").query_string()
    assert parse_qs(query.removeprefix("?")) == {
        "show": ["stale"],
        "collection": ["Billing & Co"],
        "source": ["guru"],
    }


cards_strategy = st.lists(
    st.builds(
        lambda verified, every, collection, archived: (verified, every, collection, archived),
        st.one_of(st.none(), st.integers(0, 400)),
        st.integers(1, 365),
        st.sampled_from([None, "A", "B"]),
        st.booleans(),
    ),
    max_size=30,
)


@given(cards_strategy, st.sampled_from(list(SHOW_CHOICES)), st.sampled_from(["", "A", "B"]))
def test_rows_and_counts_agree(
    specs: list[tuple[int | None, int, str | None, bool]], show: str, collection: str
) -> None:
    cards = [
        card(i, verified_days_ago=v, every=e, collection=c, archived=a)
        for i, (v, e, c, a) in enumerate(specs, start=1)
    ]
    everything = registry(cards)
    stale_only = registry(cards, Filters(show="stale"))
    archived = registry(cards, Filters(show="archived"))
    # Current and archived rows split the cards; the stale count is the stale-only list.
    assert everything.current + everything.archived == len(cards)
    assert len(everything.rows) + len(archived.rows) == len(cards)
    assert everything.stale == len(stale_only.rows)
    assert all(r.stale and not r.card.archived for r in stale_only.rows)
    # A filter only ever narrows, and never changes the counts.
    narrowed = registry(cards, Filters(show=show, collection=collection))
    wide = registry(cards, Filters(show=show))
    assert {r.card.id for r in narrowed.rows} <= {r.card.id for r in wide.rows}
    assert all(not collection or r.card.collection == collection for r in narrowed.rows)
    assert (narrowed.current, narrowed.stale, narrowed.archived) == (
        everything.current,
        everything.stale,
        everything.archived,
    )
