"""What changed since a person's last shift: the cards of their checklist whose major version
grew after their previous shift ended, with the revision notes, so a returning person reads
those first."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ScalarSelect, func, select
from sqlalchemy.orm import Session

from core.models import Person
from kb_links.models import CardRevision
from onboarding import facts
from rotation.models import Shift


@dataclass(frozen=True)
class Change:
    card_id: int
    version: int
    # The notes of the major revisions since then, oldest first ("" where none was given).
    notes: tuple[str, ...]

    @property
    def note(self) -> str:
        return "; ".join(note for note in self.notes if note)


def previous_shift_end(person: Person, *, now: datetime) -> ScalarSelect[datetime]:
    """When the person's last live shift that is over ended (NULL for a first shift)."""
    return (
        select(func.max(Shift.end))
        .where(*facts.live_shift_conditions(Shift.person_id == person.id, Shift.end <= now))
        .scalar_subquery()
    )


def changes_since_last_shift(
    session: Session, *, person: Person, card_ids: Collection[int], now: datetime
) -> dict[int, Change]:
    """Major revisions of ``card_ids`` after the person's previous shift, by card (one query).

    Nothing for someone with no shift behind them: everything is new to them anyway.
    """
    if not card_ids:
        return {}
    found: dict[int, Change] = {}
    for revision in session.scalars(
        select(CardRevision)
        .where(
            CardRevision.card_id.in_(sorted(card_ids)),
            CardRevision.change == "major",
            CardRevision.at > previous_shift_end(person, now=now),
            CardRevision.at <= now,
        )
        .order_by(CardRevision.at, CardRevision.id)
    ):
        before = found.get(revision.card_id)
        notes = (*before.notes, revision.summary) if before else (revision.summary,)
        found[revision.card_id] = Change(revision.card_id, revision.version, notes)
    return found
