"""Editing a card set's order one step at a time, and checking its name and description."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kb_links.models import Card
from web.pages.helpers import FormInvalid
from web.pages.onboarding.card_set_forms import (
    CardSetForm,
    by_collection,
    check_details,
    moved,
    with_card,
    without_card,
)


def test_moving_adding_and_removing() -> None:
    assert moved([1, 2, 3], 3, "up") == [1, 3, 2]
    assert moved([1, 2, 3], 1, "down") == [2, 1, 3]
    assert moved([1, 2, 3], 1, "up") == [1, 2, 3]
    assert moved([1, 2, 3], 3, "down") == [1, 2, 3]
    assert with_card([1, 2], 7) == [1, 2, 7]
    assert without_card([1, 7, 2], 7) == [1, 2]


@given(st.lists(st.integers(1, 1000), unique=True, min_size=1), st.data())
def test_a_move_is_a_neighbour_swap_and_down_undoes_up(
    order: list[int], data: st.DataObject
) -> None:
    card_id = data.draw(st.sampled_from(order))
    direction = data.draw(st.sampled_from(["up", "down"]))
    result = moved(order, card_id, direction)
    assert sorted(result) == sorted(order)
    assert abs(result.index(card_id) - order.index(card_id)) <= 1
    back = "down" if direction == "up" else "up"
    if result != order:
        assert moved(result, card_id, back) == order


def test_details_are_trimmed_and_checked_per_field() -> None:
    data = check_details(CardSetForm(name="  Billing  ", description=" Money \n"))
    assert (data.name, data.description, data.card_ids) == ("Billing", "Money", [])
    with pytest.raises(FormInvalid) as refused:
        check_details(CardSetForm(name=" ", description="x" * 5001))
    assert refused.value.errors == {
        "name": "Give the card set a name.",
        "description": "Keep it to 5000 characters.",
    }


def test_cards_are_grouped_by_collection_with_the_unfiled_last() -> None:
    cards = [
        Card(id=1, title="b", collection=None),
        Card(id=2, title="Zebra", collection="Billing"),
        Card(id=3, title="apple", collection="Billing"),
        Card(id=4, title="a", collection="accounts"),
    ]
    groups = [(name, [c.id for c in members]) for name, members in by_collection(cards)]
    assert groups == [("accounts", [4]), ("Billing", [3, 2]), ("", [1])]
