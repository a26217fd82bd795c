"""The card-set forms: name and description as typed, and the ordered card list edited one
step at a time (add, remove, move up or down), so it all works without JavaScript."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict

from kb_links.models import Card
from onboarding.schemas import CardSetCreate
from web.pages.helpers import checked

DIRECTIONS = ("up", "down")


class CardSetForm(BaseModel):
    """The name-and-description form as typed."""

    # The CSRF field and anything else a browser sends along is not ours to check here.
    model_config = ConfigDict(extra="ignore")

    name: str = ""
    description: str = ""


def _wording(item: Mapping[str, Any]) -> str | None:
    if item["type"] in ("string_too_short", "too_short"):
        return "Give the card set a name."
    limit = item.get("ctx", {}).get("max_length")
    if item["type"] == "string_too_long" and limit:
        return f"Keep it to {limit} characters."
    return None


def check_details(form: CardSetForm) -> CardSetCreate:
    """The name and description, validated, or ``FormInvalid`` naming every bad field."""
    fields = {"name": form.name.strip(), "description": form.description.strip()}
    return checked(CardSetCreate, fields, wording=_wording)


def with_card(card_ids: Sequence[int], card_id: int) -> list[int]:
    """The list with ``card_id`` added at the end."""
    return [*card_ids, card_id]


def without_card(card_ids: Sequence[int], card_id: int) -> list[int]:
    """The list without ``card_id``."""
    return [other for other in card_ids if other != card_id]


def moved(card_ids: Sequence[int], card_id: int, direction: str) -> list[int]:
    """The list with ``card_id`` one place up or down; at either end it stays where it is."""
    order = list(card_ids)
    index = order.index(card_id)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(order):
        order[index], order[target] = order[target], order[index]
    return order


def by_collection(cards: Iterable[Card]) -> list[tuple[str, list[Card]]]:
    """Cards grouped by collection (named ones by name, then those without), each by title."""
    groups: dict[str, list[Card]] = {}
    for card in cards:
        groups.setdefault(card.collection or "", []).append(card)
    ordered = sorted(groups, key=lambda name: (name == "", name.lower(), name))
    return [
        (name, sorted(groups[name], key=lambda card: (card.title.lower(), card.id)))
        for name in ordered
    ]
