"""``allhands notify``'s use cases: plan due reminders, queue them, and bundle claimed ones
into one delivery per person and channel (a digest, not a burst)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.i18n import choose
from core.models import Person
from kb_links.models import Card
from onboarding import at_risk, delivery, facts, messages, outbox, readiness, reminders
from onboarding.models import CardSetItem, RotationRequirement
from rotation import access
from rotation.models import Rotation


@dataclass(frozen=True)
class PlannedReminder:
    reminder: reminders.Reminder
    recipient: messages.Recipient
    text: messages.Text


@dataclass(frozen=True)
class Delivery:
    """What one send does: one message to one recipient on one channel."""

    channel: str
    message_ids: list[int]
    keys: list[str]
    outgoing: delivery.Outgoing


def _recipient(person: Person) -> messages.Recipient:
    return messages.Recipient(
        person.id, person.name, person.email, person.timezone, choose(person.locale)
    )


def _card_info(card: Card) -> messages.CardInfo:
    return messages.CardInfo(card.id, card.title, card.url, card.version)


def _required_cards_with_verifier(session: Session) -> list[tuple[Card, Person]]:
    """Live cards some live rotation requires, each with its active verifier."""
    required = (
        select(CardSetItem.card_id)
        .join(RotationRequirement, RotationRequirement.card_set_id == CardSetItem.card_set_id)
        .join(Rotation, Rotation.id == RotationRequirement.rotation_id)
        .where(Rotation.archived.is_(False))
    )
    return list(
        session.execute(
            select(Card, Person)
            .join(Person, Person.id == Card.verifier_id)
            .where(Card.id.in_(required), Card.archived.is_(False), Person.active.is_(True))
            .order_by(Card.id)
        )
    )


def plan(session: Session, *, now: datetime, base_url: str) -> list[PlannedReminder]:
    """Every reminder due at ``now``, rendered, whether or not it was sent before.

    Eight queries whatever the data size, plus a few per shift at risk; the outbox's unique
    keys decide what is new.
    """
    return [
        *_shift_reminders(session, now=now, base_url=base_url),
        *_stale_card_reminders(session, now=now, base_url=base_url),
        *(
            PlannedReminder(n.reminder, n.recipient, n.text)
            for n in at_risk.notices(session, now=now, base_url=base_url)
        ),
    ]


def _shift_reminders(session: Session, *, now: datetime, base_url: str) -> list[PlannedReminder]:
    """Reading assigned, due soon or overdue, for people on upcoming shifts and their managers."""
    longest_assign = session.scalar(select(func.max(RotationRequirement.assign_days_before)))
    if longest_assign is None:
        return []
    reading = facts.load_reading(
        session, where=facts.held_shifts_ahead(now=now, days=longest_assign, under_way=True)
    )
    active_facts = [
        shift_facts
        for shift_facts, shift in zip(reading.shift_facts, reading.shifts, strict=True)
        if shift.person is not None and shift.person.active
    ]
    entries = reading.judge(readiness.checklist, now=now, shifts=active_facts)
    people = facts.holders_by_id(reading.shifts)
    managers: dict[int, list[int]] = {}
    rotation_ids = sorted({s.rotation_id for s in reading.shifts})
    for rotation_id, manager in access.active_managers(session, rotation_ids=rotation_ids):
        managers.setdefault(rotation_id, []).append(manager.id)
        people[manager.id] = manager
    planned: list[PlannedReminder] = []
    for reminder in reminders.shift_reminders(entries, managers=managers, now=now):
        assert reminder.shift_id is not None and reminder.person_id is not None
        shift = reading.shifts_by_id[reminder.shift_id]
        recipient = _recipient(people[reminder.recipient_id])
        text = messages.render(
            reminder,
            recipient=recipient,
            reader=_recipient(people[reminder.person_id]),
            shift=messages.ShiftInfo(shift.id, shift.rotation.name, shift.start, shift.end),
            cards=[_card_info(reading.cards[card_id]) for card_id in reminder.card_ids],
            base_url=base_url,
        )
        planned.append(PlannedReminder(reminder, recipient, text))
    return planned


def _stale_card_reminders(
    session: Session, *, now: datetime, base_url: str
) -> list[PlannedReminder]:
    """Verification run out on a required card, for its verifier."""
    cards = _required_cards_with_verifier(session)
    verifiers = {card.id: verifier for card, verifier in cards}
    by_id = {card.id: card for card, _ in cards}
    stale = reminders.stale_card_reminders(
        (
            reminders.RequiredCard(
                card.id, card.verifier_id, card.last_verified_at, card.verify_every_days
            )
            for card, _ in cards
        ),
        now=now,
    )
    planned: list[PlannedReminder] = []
    for reminder in stale:
        recipient = _recipient(verifiers[reminder.card_ids[0]])
        text = messages.render(
            reminder,
            recipient=recipient,
            reader=None,
            shift=None,
            cards=[_card_info(by_id[reminder.card_ids[0]])],
            base_url=base_url,
        )
        planned.append(PlannedReminder(reminder, recipient, text))
    return planned


def outbox_messages(
    planned: Sequence[PlannedReminder], *, channels: Sequence[str]
) -> list[outbox.NewMessage]:
    """One outbox message per reminder and channel, keyed ``{reminder key}/{channel}``."""
    return [
        outbox.NewMessage(
            kind=item.reminder.kind.value,
            channel=channel,
            recipient=item.recipient.email,
            dedupe_key=f"{item.reminder.key}/{channel}",
            subject=item.text.subject,
            body=item.text.body,
            payload={
                "reminder": item.reminder.key,
                "recipient_id": item.recipient.id,
                "recipient_name": item.recipient.name,
                "locale": item.recipient.locale,
                "shift_id": item.reminder.shift_id,
                "person_id": item.reminder.person_id,
                "card_ids": list(item.reminder.card_ids),
                "due_at": item.reminder.due_at.isoformat() if item.reminder.due_at else None,
            },
        )
        for item in planned
        for channel in channels
    ]


def _opted_out(session: Session, *, person_ids: set[int]) -> set[tuple[int, str]]:
    """(person id, channel) pairs a person turned off on their profile page."""
    rows = session.execute(
        select(Person.id, Person.notify_email, Person.notify_slack).where(Person.id.in_(person_ids))
    )
    off: set[tuple[int, str]] = set()
    for person_id, email, slack in rows:
        if not email:
            off.add((person_id, "email"))
        if not slack:
            off.add((person_id, "slack"))
    return off


def queue(
    session: Session, *, now: datetime, base_url: str, channels: Sequence[str]
) -> tuple[int, list[str]]:
    """Plan and write due reminders on the channels each recipient wants; returns
    (reminders due, keys newly written)."""
    planned = plan(session, now=now, base_url=base_url)
    new = outbox_messages(planned, channels=channels)
    off = _opted_out(session, person_ids={item.recipient.id for item in planned})
    wanted = [m for m in new if (m.payload["recipient_id"], m.channel) not in off]
    written = outbox.enqueue(session, messages=wanted, now=now)
    return len(planned), written


def bundle(pending: Sequence[outbox.PendingMessage]) -> list[Delivery]:
    """Group messages per channel and recipient, each group becoming one (digest) message.

    Messages keep their given order; an id of 0 stands for one not yet queued (a preview).
    """
    groups: dict[tuple[str, str], list[outbox.PendingMessage]] = {}
    for message in pending:
        groups.setdefault((message.channel, message.recipient), []).append(message)
    deliveries: list[Delivery] = []
    for (channel, recipient), group in groups.items():
        name = str(group[0].payload.get("recipient_name") or recipient)
        text = messages.digest(
            [messages.Text(m.subject, m.body) for m in group],
            recipient_name=name,
            locale=str(group[0].payload.get("locale") or "en"),
        )
        deliveries.append(
            Delivery(
                channel=channel,
                message_ids=[m.id for m in group if m.id],
                keys=[m.dedupe_key for m in group],
                outgoing=delivery.Outgoing(recipient, name, text.subject, text.body),
            )
        )
    return deliveries


# The reminder channels; the outbox also carries Slack app and webhook messages, which
# their own jobs send.
REMINDER_CHANNELS = ("email", "slack")


def claim(session: Session, *, now: datetime) -> list[Delivery]:
    """Claim every sendable reminder and bundle it into deliveries."""
    return bundle(outbox.claim(session, now=now, channels=REMINDER_CHANNELS))


def preview(
    session: Session,
    *,
    planned: Sequence[PlannedReminder],
    now: datetime,
    channels: Sequence[str],
) -> list[Delivery]:
    """What a run would send now, changing nothing: queued messages plus new reminders."""
    new = outbox_messages(planned, channels=channels)
    known = outbox.existing_keys(session, keys=[m.dedupe_key for m in new])
    fresh = [m.as_pending() for m in new if m.dedupe_key not in known]
    return bundle([*outbox.pending(session, now=now, channels=REMINDER_CHANNELS), *fresh])
