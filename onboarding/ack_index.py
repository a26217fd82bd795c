"""How readiness rules read acknowledgements: person -> card -> version acknowledged -> the
first time it was (None: time not loaded). Nested rather than keyed by (person, card): a
large report then makes no tuple per lookup."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from types import MappingProxyType

Versions = Mapping[int, datetime | None]
AckIndex = Mapping[int, Mapping[int, Versions]]
NOTHING_READ: Mapping[int, Versions] = MappingProxyType({})
NO_VERSION: Versions = MappingProxyType({})


class Unread(Mapping[int, Versions]):
    """One person's acknowledgements as a reading summary tells them: every card of
    ``current`` read at its current version except those in ``missing``, times unknown."""

    __slots__ = ("current", "missing")

    def __init__(self, current: Mapping[int, Versions], missing: frozenset[int]) -> None:
        self.current = current
        self.missing = missing

    def __getitem__(self, card_id: int) -> Versions:
        if card_id in self.missing:
            raise KeyError(card_id)
        return self.current[card_id]

    def __iter__(self) -> Iterator[int]:
        return (card_id for card_id in self.current if card_id not in self.missing)

    def __len__(self) -> int:
        return sum(1 for _ in self)
