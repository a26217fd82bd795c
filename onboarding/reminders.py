"""Which reminders are due: a pure function of readiness, managers, card freshness and now.

Every reminder carries a dedupe key naming what it is about, so the outbox can write it
once however often (and from however many processes) ``allhands notify`` runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from kb_links import freshness
from onboarding.readiness import ShiftReadiness, Status

DUE_SOON = timedelta(days=1)


class Kind(StrEnum):
    ASSIGN = "assign"
    DUE_SOON = "due-soon"
    OVERDUE = "overdue"
    OVERDUE_MANAGER = "overdue-manager"
    STALE = "stale"
    AT_RISK = "at-risk"


@dataclass(frozen=True)
class Reminder:
    key: str
    kind: Kind
    recipient_id: int
    # For shift reminders: the shift and the person who has to read (the recipient, or for a
    # manager's copy, the person on the shift).
    shift_id: int | None
    person_id: int | None
    card_ids: tuple[int, ...]
    due_at: datetime | None


@dataclass(frozen=True)
class RequiredCard:
    """A card some rotation requires, with what its freshness depends on."""

    card_id: int
    verifier_id: int | None
    last_verified_at: datetime | None
    verify_every_days: int


def _about_shift(entry: ShiftReadiness, kind: Kind, key: str, recipient_id: int) -> Reminder:
    return Reminder(
        key=key,
        kind=kind,
        recipient_id=recipient_id,
        shift_id=entry.shift.id,
        person_id=entry.shift.person_id,
        card_ids=entry.missing,
        due_at=entry.due_at,
    )


def shift_reminders(
    entries: Iterable[ShiftReadiness],
    *,
    managers: Mapping[int, Sequence[int]],
    now: datetime,
) -> list[Reminder]:
    """Assign, due-soon and overdue reminders for checklist entries (assigned reading only).

    Nothing is due for a shift that is ready, uncovered, over, or has nothing to read.
    Overdue goes to the person and to each manager of the rotation.
    """
    reminders: list[Reminder] = []
    for entry in entries:
        shift = entry.shift
        person_id = shift.person_id
        if (
            person_id is None
            or entry.status in (Status.READY, Status.UNCOVERED)
            or entry.due_at is None
            or shift.end <= now
        ):
            continue
        about = f"{shift.id}:{person_id}"
        if now >= entry.due_at:
            reminders.append(_about_shift(entry, Kind.OVERDUE, f"overdue:{about}", person_id))
            reminders.extend(
                _about_shift(
                    entry,
                    Kind.OVERDUE_MANAGER,
                    f"overdue-manager:{about}:{manager_id}",
                    manager_id,
                )
                for manager_id in managers.get(shift.rotation_id, ())
                # A manager on their own shift has just been told, as the person.
                if manager_id != person_id
            )
            continue
        reminders.append(_about_shift(entry, Kind.ASSIGN, f"assign:{about}", person_id))
        if now >= entry.due_at - DUE_SOON:
            reminders.append(_about_shift(entry, Kind.DUE_SOON, f"due-soon:{about}", person_id))
    return reminders


def stale_card_reminders(cards: Iterable[RequiredCard], *, now: datetime) -> list[Reminder]:
    """One reminder per stale required card to its verifier, again after each verification."""
    reminders: list[Reminder] = []
    for card in cards:
        if card.verifier_id is None or not freshness.is_stale(
            last_verified_at=card.last_verified_at,
            verify_every_days=card.verify_every_days,
            now=now,
        ):
            continue
        verified = card.last_verified_at.date().isoformat() if card.last_verified_at else "never"
        reminders.append(
            Reminder(
                key=f"stale:{card.card_id}:{verified}:{card.verifier_id}",
                kind=Kind.STALE,
                recipient_id=card.verifier_id,
                shift_id=None,
                person_id=None,
                card_ids=(card.card_id,),
                due_at=freshness.verification_due_at(
                    last_verified_at=card.last_verified_at,
                    verify_every_days=card.verify_every_days,
                ),
            )
        )
    return reminders
