"""The words of reminders: one text per reminder, and one digest when several go to one person."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from onboarding.reminders import Kind, Reminder


@dataclass(frozen=True)
class Recipient:
    id: int
    name: str
    email: str
    timezone: str


@dataclass(frozen=True)
class ShiftInfo:
    id: int
    rotation_name: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class CardInfo:
    id: int
    title: str
    url: str
    version: int


@dataclass(frozen=True)
class Text:
    subject: str
    body: str


def when(value: datetime, timezone: str) -> str:
    """An instant in the reader's own zone: ``Mon 30 Nov 2026, 09:00 CET``."""
    return value.astimezone(ZoneInfo(timezone)).strftime("%a %d %b %Y, %H:%M %Z")


def _card_lines(cards: Sequence[CardInfo]) -> list[str]:
    return [f"  - {card.title} (version {card.version}): {card.url}" for card in cards]


def render(
    reminder: Reminder,
    *,
    recipient: Recipient,
    reader: Recipient | None,
    shift: ShiftInfo | None,
    cards: Sequence[CardInfo],
    base_url: str,
) -> Text:
    """Subject and body of one reminder, times shown in the recipient's timezone."""
    if reminder.kind is Kind.STALE:
        return _verify_card(reminder, recipient=recipient, card=cards[0])
    assert shift is not None and reminder.due_at is not None
    if reminder.kind is Kind.OVERDUE_MANAGER:
        return _overdue_to_manager(
            reminder, recipient=recipient, reader=reader, shift=shift, cards=cards
        )
    return _reading(reminder, recipient=recipient, shift=shift, cards=cards, base_url=base_url)


def _verify_card(reminder: Reminder, *, recipient: Recipient, card: CardInfo) -> Text:
    """To a card's verifier: the card is required reading and its verification ran out."""
    verified = (
        f"its verification ran out {when(reminder.due_at, recipient.timezone)}"
        if reminder.due_at
        else "it was never verified"
    )
    return Text(
        subject=f"Please verify “{card.title}”",
        body="\n".join(
            [
                f"Hello {recipient.name},",
                "",
                f"“{card.title}” is required reading for a rotation, and its verification "
                f"is out of date ({verified}).",
                f"Please check it is still right and verify it: {card.url}",
            ]
        ),
    )


def _overdue_to_manager(
    reminder: Reminder,
    *,
    recipient: Recipient,
    reader: Recipient | None,
    shift: ShiftInfo,
    cards: Sequence[CardInfo],
) -> Text:
    """To a manager: the person on an upcoming shift has not finished the reading."""
    assert reminder.due_at is not None
    tz = recipient.timezone
    who = reader.name if reader else "the person on shift"
    return Text(
        subject=f"{who} has not finished the reading for {shift.rotation_name}",
        body="\n".join(
            [
                f"Hello {recipient.name},",
                "",
                f"{who}'s {shift.rotation_name} shift starts {when(shift.start, tz)}; the "
                f"reading was due {when(reminder.due_at, tz)} and these cards are still unread:",
                *_card_lines(cards),
            ]
        ),
    )


def _reading(
    reminder: Reminder,
    *,
    recipient: Recipient,
    shift: ShiftInfo,
    cards: Sequence[CardInfo],
    base_url: str,
) -> Text:
    """To the person on shift: reading assigned, due soon, or overdue."""
    assert reminder.due_at is not None
    tz = recipient.timezone
    starts, due, name = when(shift.start, tz), when(reminder.due_at, tz), shift.rotation_name
    subjects = {
        Kind.ASSIGN: f"Reading for your {name} shift on {starts}",
        Kind.DUE_SOON: f"Reminder: reading for {name} is due {due}",
        Kind.OVERDUE: f"Overdue: reading for your {name} shift on {starts}",
    }
    openings = {
        Kind.ASSIGN: f"Your {name} shift starts {starts}. Please read and "
        f"acknowledge these cards by {due}:",
        Kind.DUE_SOON: f"The reading for your {name} shift ({starts}) is due {due}. Still unread:",
        Kind.OVERDUE: f"The reading for your {name} shift ({starts}) was due "
        f"{due}. Your managers have been told. Still unread:",
    }
    return Text(
        subject=subjects[reminder.kind],
        body="\n".join(
            [
                f"Hello {recipient.name},",
                "",
                openings[reminder.kind],
                *_card_lines(cards),
                "",
                f"Your checklist: {base_url}/me/checklist",
            ]
        ),
    )


def digest(texts: Sequence[Text], *, recipient_name: str) -> Text:
    """One message for several reminders to one person: a digest instead of a burst."""
    if len(texts) == 1:
        return texts[0]
    sections = []
    for number, text in enumerate(texts, start=1):
        # Each part greets again; the digest greets once.
        body = text.body.split("\n\n", 1)[-1] if text.body.startswith("Hello ") else text.body
        sections.append(f"{number}. {text.subject}\n\n{body}")
    return Text(
        subject=f"allhands: {len(texts)} reminders",
        body=f"Hello {recipient_name},\n\n" + "\n\n".join(sections),
    )
