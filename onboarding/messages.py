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
    tz = recipient.timezone
    checklist_url = f"{base_url}/me/checklist"
    if reminder.kind is Kind.STALE:
        card = cards[0]
        verified = (
            f"its verification ran out {when(reminder.due_at, tz)}"
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
    assert shift is not None and reminder.due_at is not None
    starts = when(shift.start, tz)
    due = when(reminder.due_at, tz)
    cards_text = _card_lines(cards)
    if reminder.kind is Kind.OVERDUE_MANAGER:
        who = reader.name if reader else "the person on shift"
        return Text(
            subject=f"{who} has not finished the reading for {shift.rotation_name}",
            body="\n".join(
                [
                    f"Hello {recipient.name},",
                    "",
                    f"{who}'s {shift.rotation_name} shift starts {starts}; the reading was due "
                    f"{due} and these cards are still unread:",
                    *cards_text,
                ]
            ),
        )
    subjects = {
        Kind.ASSIGN: f"Reading for your {shift.rotation_name} shift on {starts}",
        Kind.DUE_SOON: f"Reminder: reading for {shift.rotation_name} is due {due}",
        Kind.OVERDUE: f"Overdue: reading for your {shift.rotation_name} shift on {starts}",
    }
    openings = {
        Kind.ASSIGN: f"Your {shift.rotation_name} shift starts {starts}. Please read and "
        f"acknowledge these cards by {due}:",
        Kind.DUE_SOON: f"The reading for your {shift.rotation_name} shift ({starts}) is due "
        f"{due}. Still unread:",
        Kind.OVERDUE: f"The reading for your {shift.rotation_name} shift ({starts}) was due "
        f"{due}. Your managers have been told. Still unread:",
    }
    return Text(
        subject=subjects[reminder.kind],
        body="\n".join(
            [
                f"Hello {recipient.name},",
                "",
                openings[reminder.kind],
                *cards_text,
                "",
                f"Your checklist: {checklist_url}",
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
