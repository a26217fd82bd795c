"""Reading summaries: per person and rotation, the required cards not yet read at their
current version, so a large readiness report need not load every acknowledgement.

A summary row is a cache that a report checks before believing it. It holds for a pair as
long as

- its ``fingerprint`` equals that of the rotation's required cards at their current
  versions (so a card's major change, archiving, a set's items or a requirement changing
  all invalidate it), and
- its ``through`` equals the person's latest acknowledgement id (acknowledgements are only
  ever added, so nothing else about the person's reading can change unseen).

Any other pair (no row, or a stale one) is derived from scratch, so the report is the
same whether or not the rows are up to date; keeping them up to date only makes it cheap.
``summary_refresh`` writes them: acknowledging refreshes the person's rows, ``allhands
notify`` those of the coming weeks.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, select

from onboarding import readiness
from onboarding.models import Acknowledgement, ReadingSummary
from rotation.models import Shift


def fingerprint(card_ids: Iterable[int], cards: Mapping[int, readiness.CardFacts]) -> str:
    """A digest of required cards at their current versions (order does not matter)."""
    text = ",".join(f"{card_id}:{cards[card_id].version}" for card_id in sorted(card_ids))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def fingerprints(
    requirements: Iterable[readiness.RequirementFacts],
    *,
    card_sets: Mapping[int, Sequence[int]],
    cards: Mapping[int, readiness.CardFacts],
) -> dict[int, str]:
    """Each rotation's fingerprint, once per distinct list of required cards."""
    required = readiness.required_by_rotation(
        readiness.group_requirements(requirements), card_sets=card_sets, cards=cards
    )
    digests: dict[int, str] = {}  # by the identity of a shared list
    return {
        rotation_id: digests.get(id(card_ids))
        or digests.setdefault(id(card_ids), fingerprint(card_ids, cards))
        for rotation_id, card_ids in required.items()
    }


NO_CARDS = fingerprint((), {})


@dataclass(frozen=True)
class Known:
    """What the summaries tell about the people on the selected shifts."""

    # Person -> required cards unread, for people whose every pair had a valid row.
    unread: dict[int, frozenset[int]]
    # People with at least one pair to derive from scratch.
    stale: set[int]


def with_person(where: Sequence[ColumnElement[bool]]) -> tuple[ColumnElement[bool], ...]:
    return (*where, Shift.person_id.is_not(None))


# Per shift: person id, rotation id, then the row's fingerprint, missing and through (None
# without a row), and the person's latest acknowledgement id (None: none).
Found = tuple[Any, ...]


AnySelect = Select[*tuple[Any, ...]]


def alongside(statement: AnySelect) -> AnySelect:
    """``statement`` over shifts, with each shift's summary row and its person's latest
    acknowledgement as four more columns (the rest of ``Found``)."""
    latest = (
        select(Acknowledgement.id)
        .where(Acknowledgement.person_id == Shift.person_id)
        .order_by(Acknowledgement.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return statement.outerjoin(
        ReadingSummary,
        and_(
            ReadingSummary.person_id == Shift.person_id,
            ReadingSummary.rotation_id == Shift.rotation_id,
        ),
    ).add_columns(
        ReadingSummary.fingerprint, ReadingSummary.missing, ReadingSummary.through, latest
    )


def known(
    found: Iterable[Found],
    *,
    requirements: Iterable[readiness.RequirementFacts],
    card_sets: Mapping[int, Sequence[int]],
    cards: Mapping[int, readiness.CardFacts],
) -> Known:
    """Which summaries hold, against the rotations' ``requirements`` and ``cards`` as
    loaded for the report."""
    current = fingerprints(requirements, card_sets=card_sets, cards=cards)
    gaps: dict[int, set[int]] = {}
    stale: set[int] = set()
    for person_id, rotation_id, digest, missing, through, last_ack in found:
        if person_id is None:
            continue
        if digest != current.get(rotation_id, NO_CARDS) or through != (last_ack or 0):
            stale.add(person_id)
            continue
        unread_here = gaps.setdefault(person_id, set())
        if missing:
            unread_here.update(map(int, missing.split()))
    unread = {
        person_id: frozenset(ids) for person_id, ids in gaps.items() if person_id not in stale
    }
    return Known(unread=unread, stale=stale)


def as_acks(known: Known, cards: Mapping[int, readiness.CardFacts]) -> readiness.AckIndex:
    """The acknowledgements of the summarised people, as the readiness rules read them."""
    current = {card_id: MappingProxyType({card.version: None}) for card_id, card in cards.items()}
    return {
        person_id: readiness.Unread(current, missing) for person_id, missing in known.unread.items()
    }
