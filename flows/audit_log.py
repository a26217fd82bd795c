"""The audit log as sentences people read: names and dates for the ids events store.

"Hana Novak moved Ana de Vries's shift of Mon 7 Dec to Sam Okafor". Everything an event
page names is loaded in one query per kind of thing (people, rotations, cards, card sets,
shifts, swaps), whatever the number of events.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import cast, select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.types import String

from core import audit
from core.models import AuditEvent, Person
from kb_links.models import Card
from onboarding.models import CardSet
from rotation.models import Rotation, Shift, SwapRequest

PAGE_SIZE = 50
# What an action did, for those said the same way whatever their details.
PHRASES = {
    "card.create": "added {subject}",
    "card.update": "changed {subject}",
    "card.verify": "verified {subject}",
    "card_set.create": "created {subject}",
    "card_set.update": "changed {subject}",
    "company_days_off.set": "set the company days off",
    "person.create": "added {subject}",
    "person.update": "edited {subject}",
    "person.deactivate": "deactivated {subject}",
    "person.reactivate": "reactivated {subject}",
    "person.offboard": "offboarded {subject}",
    "person.rotate_feed_token": "reset the calendar link of {subject}",
    "rotation.archive": "archived {subject}",
    "rotation.create": "created {subject}",
    "rotation.rebalance": "rebalanced {subject}",
    "rotation.regenerate": "regenerated the shifts of {subject}",
    "rotation.requirements.set": "set the required reading of {subject}",
    "rotation.schedule": "extended the schedule of {subject}",
    "rotation.update": "changed the settings of {subject}",
    "schedule.create": "created a schedule",
    "schedule.update": "changed a schedule",
    "time_off.delete": "removed time off",
}


@dataclass
class Names:
    """What the events on one page refer to, by id."""

    people: dict[int, Person] = field(default_factory=dict)
    rotations: dict[int, Rotation] = field(default_factory=dict)
    cards: dict[int, Card] = field(default_factory=dict)
    card_sets: dict[int, CardSet] = field(default_factory=dict)
    shifts: dict[int, Shift] = field(default_factory=dict)
    swaps: dict[int, SwapRequest] = field(default_factory=dict)

    def person(self, person_id: Any) -> str:
        person = self.people.get(person_id) if isinstance(person_id, int) else None
        return person.name if person is not None else "someone since removed"

    def shift(self, shift_id: Any, *, actor_id: int | None = None) -> str:
        shift = self.shifts.get(shift_id) if isinstance(shift_id, int) else None
        if shift is None:
            return "a shift since removed"
        local = shift.start.astimezone(ZoneInfo(shift.rotation.timezone))
        if shift.person is None:
            holder = "the shift"
        elif shift.person_id == actor_id:
            holder = "their shift"
        else:
            holder = f"{shift.person.name}'s shift"
        return f"{holder} of {local:%a} {local.day} {local:%b %Y} in {shift.rotation.name}"


@dataclass(frozen=True)
class LogEntry:
    event: AuditEvent
    sentence: str


def _ids(values: Iterable[Any]) -> set[int]:
    return {v for v in values if isinstance(v, int)}


def _fields(event: AuditEvent) -> dict[str, Any]:
    return {**(event.before or {}), **(event.after or {})}


def _subject_id(event: AuditEvent) -> int | None:
    return int(event.subject_id) if event.subject_id.isdigit() else None


def _load(session: Session, events: list[AuditEvent]) -> Names:
    by_type: dict[str, set[int]] = {}
    for event in events:
        if (subject := _subject_id(event)) is not None:
            by_type.setdefault(event.subject_type, set()).add(subject)
    swaps = {
        s.id: s
        for s in session.scalars(
            select(SwapRequest).where(SwapRequest.id.in_(by_type.get("swap", set())))
        )
    }
    people_ids = _ids(e.actor_id for e in events) | by_type.get("person", set())
    shift_ids = by_type.get("shift", set())
    card_ids = by_type.get("card", set())
    for event in events:
        data = _fields(event)
        people_ids |= _ids(
            [data.get("person_id"), data.get("requester_id"), data.get("counterpart_person_id")]
        )
        people_ids |= _ids(data.get("person_ids") or [])
        people_ids |= _ids([(event.before or {}).get("person_id")])
        shift_ids |= _ids([data.get("shift_id"), data.get("counterpart_shift_id")])
        card_ids |= _ids([data.get("card_id")])
    for swap in swaps.values():
        shift_ids |= _ids([swap.shift_id, swap.counterpart_shift_id])
        people_ids |= {swap.requester_id, swap.counterpart_person_id}
    shifts = session.scalars(
        select(Shift)
        .where(Shift.id.in_(shift_ids))
        .options(joinedload(Shift.rotation), joinedload(Shift.person))
    ).unique()
    return Names(
        people={p.id: p for p in session.scalars(select(Person).where(Person.id.in_(people_ids)))},
        rotations={
            r.id: r
            for r in session.scalars(
                select(Rotation).where(Rotation.id.in_(by_type.get("rotation", set())))
            )
        },
        cards={c.id: c for c in session.scalars(select(Card).where(Card.id.in_(card_ids)))},
        card_sets={
            c.id: c
            for c in session.scalars(
                select(CardSet).where(CardSet.id.in_(by_type.get("card_set", set())))
            )
        },
        shifts={s.id: s for s in shifts},
        swaps=swaps,
    )


def _subject(event: AuditEvent, names: Names) -> str:
    subject = _subject_id(event)
    kind = event.subject_type
    if kind == "person":
        return names.person(subject)
    if kind == "rotation" and subject in names.rotations:
        return f"the rotation {names.rotations[subject].name}"
    if kind == "card" and subject in names.cards:
        return f"the card “{names.cards[subject].title}”"
    if kind == "card_set" and subject in names.card_sets:
        return f"the card set “{names.card_sets[subject].name}”"
    if kind == "shift":
        return names.shift(subject)
    return kind.replace("_", " ")


def _members(event: AuditEvent, names: Names) -> str:
    before = set((event.before or {}).get("person_ids") or [])
    after = set((event.after or {}).get("person_ids") or [])
    parts = []
    if added := [names.person(p) for p in after - before]:
        parts.append("added " + ", ".join(added))
    if removed := [names.person(p) for p in before - after]:
        parts.append("removed " + ", ".join(removed))
    return " and ".join(parts) or "reordered the members"


def _swap(event: AuditEvent, names: Names, status: str) -> str:
    swap = names.swaps.get(_subject_id(event) or 0)
    if swap is None:
        return f"{status} a swap since removed"
    theirs = names.person(swap.counterpart_person_id)
    mine = names.shift(swap.shift_id, actor_id=event.actor_id)
    if status == "request":
        if swap.counterpart_shift_id is not None:
            other = names.shift(swap.counterpart_shift_id, actor_id=event.actor_id)
            return f"offered {mine} to {theirs} in exchange for {other}"
        return f"asked {theirs} to cover {mine}"
    return f"{status} the swap of {mine} between {names.person(swap.requester_id)} and {theirs}"


def _override(event: AuditEvent, names: Names) -> str:
    """Whose shift went to whom: the holder is the one before the change."""
    shift = names.shifts.get(_subject_id(event) or 0)
    to = names.person((event.after or {}).get("person_id"))
    if shift is None:
        return f"moved a shift since removed to {to}"
    local = shift.start.astimezone(ZoneInfo(shift.rotation.timezone))
    held_by = (event.before or {}).get("person_id")
    holder = f"{names.person(held_by)}'s shift" if held_by is not None else "the uncovered shift"
    when = f"{local:%a} {local.day} {local:%b %Y}"
    return f"moved {holder} of {when} in {shift.rotation.name} to {to}"


def _stage(event: AuditEvent, names: Names) -> str:
    before, after = event.before or {}, event.after or {}
    person, stage = names.person(after.get("person_id")), str(after.get("stage"))
    if before.get("stage") == "shadow" and stage == "primary":
        return f"graduated {person} from shadowing"
    if before.get("stage") != stage:
        return f"moved {person} to the {stage.replace('_', ' ')} stage"
    return f"{'held back' if after.get('graduation_held') else 'released the hold on'} {person}"


def sentence(event: AuditEvent, names: Names) -> str:
    """What happened, said with names and dates: '<who> <did what>'."""
    who = names.person(event.actor_id) if event.actor_id is not None else "allhands"
    data, action = _fields(event), event.action
    subject = _subject(event, names)
    if action == "rotation.members":
        what = f"{_members(event, names)} in {subject}"
    elif action.startswith("swap."):
        what = _swap(event, names, action.removeprefix("swap."))
    elif action == "shift.override":
        what = _override(event, names)
    elif action == "rotation.member_stage":
        what = f"{_stage(event, names)} in {subject}"
    elif action == "acknowledgement.create":
        card = names.cards.get(data.get("card_id") or 0)
        title = f"“{card.title}”" if card else "a card since removed"
        what = f"marked {title} (version {data.get('card_version')}) as read"
    elif action == "time_off.create":
        away = (
            "themselves"
            if data.get("person_id") == event.actor_id
            else names.person(data.get("person_id"))
        )
        what = f"added time off for {away}, {data.get('start')} to {data.get('end')}"
    elif action == "card.update" and event.note:
        what = f"changed {subject} ({event.note})"
    elif action in PHRASES:
        what = PHRASES[action].format(subject=subject)
    else:
        verb = action.split(".", 1)[-1].replace("_", " ").replace(".", " ")
        what = f"{verb}: {subject}"
    return f"{who} {what}."


def rotation_subjects(
    session: Session, *, rotation_id: int
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The rotation, its shifts and its swaps, as audit subjects."""
    shift_ids = select(cast(Shift.id, String)).where(Shift.rotation_id == rotation_id)
    swap_ids = (
        select(cast(SwapRequest.id, String))
        .join(Shift, Shift.id == SwapRequest.shift_id)
        .where(Shift.rotation_id == rotation_id)
    )
    return (
        ("rotation", (str(rotation_id),)),
        ("shift", tuple(session.scalars(shift_ids))),
        ("swap", tuple(session.scalars(swap_ids))),
    )


def read_log(
    session: Session, *, where: audit.EventFilter, page: int
) -> tuple[list[LogEntry], int]:
    """One page of the log as sentences, and the number of events there are."""
    events, total = audit.page_of_events(
        session, where=where, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    names = _load(session, events)
    return [LogEntry(event=e, sentence=sentence(e, names)) for e in events], total
