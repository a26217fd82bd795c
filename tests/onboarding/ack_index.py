"""Acknowledgement indexes for the readiness kernel, built from plain rows.

The application loads ``readiness.AckIndex`` straight from SQL (``onboarding.facts``, the
first time of each version by ``min()``); kernel tests build the same shape from a list.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class AckFacts:
    person_id: int
    card_id: int
    version: int
    # None when only the fact of reading matters (a readiness report needs no times).
    acknowledged_at: datetime | None


def index_acks(acks: Iterable[AckFacts]) -> dict[int, dict[int, dict[int, datetime | None]]]:
    """Per person and card: each version acknowledged, with the first time it was."""
    index: dict[int, dict[int, dict[int, datetime | None]]] = {}
    for ack in acks:
        versions = index.setdefault(ack.person_id, {}).setdefault(ack.card_id, {})
        first = versions.get(ack.version)
        if ack.version not in versions or (
            ack.acknowledged_at is not None and (first is None or ack.acknowledged_at < first)
        ):
            versions[ack.version] = ack.acknowledged_at
    return index
