"""The words of reminders: one text per reminder, and one digest when several go to one person."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from core.i18n import format_when, gettext, ngettext
from onboarding.reminders import Kind, Reminder


@dataclass(frozen=True)
class Recipient:
    id: int
    name: str
    email: str
    timezone: str
    # The language the person reads; None (never chosen) means English.
    locale: str = "en"


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


def when(value: datetime, timezone: str, locale: str = "en") -> str:
    """An instant in the reader's own zone and language: ``Mon 30 Nov 2026, 09:00 CET``
    in English, ``ma 30 nov 2026, 09:00 (Europe/Amsterdam)`` in Dutch."""
    if locale == "en":
        return value.astimezone(ZoneInfo(timezone)).strftime("%a %d %b %Y, %H:%M %Z")
    return format_when(value, locale=locale, zone=timezone)


def hello(name: str, locale: str) -> str:
    return gettext(locale, "Hello %(name)s,", name=name)


def card_lines(cards: Sequence[CardInfo], locale: str = "en") -> list[str]:
    return [
        "  - "
        + gettext(
            locale,
            "%(title)s (version %(version)s): %(url)s",
            title=card.title,
            version=card.version,
            url=card.url,
        )
        for card in cards
    ]


def checklist_line(base_url: str, locale: str) -> str:
    return gettext(locale, "Your checklist: %(url)s", url=base_url + "/me/checklist")


def render(
    reminder: Reminder,
    *,
    recipient: Recipient,
    reader: Recipient | None,
    shift: ShiftInfo | None,
    cards: Sequence[CardInfo],
    base_url: str,
) -> Text:
    """Subject and body of one reminder, in the recipient's language and timezone."""
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
    lang = recipient.locale
    verified = (
        gettext(
            lang,
            "its verification ran out %(when)s",
            when=when(reminder.due_at, recipient.timezone, lang),
        )
        if reminder.due_at
        else gettext(lang, "it was never verified")
    )
    return Text(
        subject=gettext(lang, "Please verify “%(title)s”", title=card.title),
        body="\n".join(
            [
                hello(recipient.name, lang),
                "",
                gettext(
                    lang,
                    "“%(title)s” is required reading for a rotation, and its verification "
                    "is out of date (%(verified)s).",
                    title=card.title,
                    verified=verified,
                ),
                gettext(
                    lang, "Please check it is still right and verify it: %(url)s", url=card.url
                ),
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
    tz, lang = recipient.timezone, recipient.locale
    who = reader.name if reader else gettext(lang, "the person on shift")
    values = {"who": who, "rotation": shift.rotation_name}
    return Text(
        subject=gettext(lang, "%(who)s has not finished the reading for %(rotation)s", **values),
        body="\n".join(
            [
                hello(recipient.name, lang),
                "",
                gettext(
                    lang,
                    "%(who)s's %(rotation)s shift starts %(starts)s; the reading was due "
                    "%(due)s and these cards are still unread:",
                    starts=when(shift.start, tz, lang),
                    due=when(reminder.due_at, tz, lang),
                    **values,
                ),
                *card_lines(cards, lang),
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
    tz, lang = recipient.timezone, recipient.locale
    values = {
        "starts": when(shift.start, tz, lang),
        "due": when(reminder.due_at, tz, lang),
        "rotation": shift.rotation_name,
    }
    subjects = {
        Kind.ASSIGN: gettext(lang, "Reading for your %(rotation)s shift on %(starts)s", **values),
        Kind.DUE_SOON: gettext(lang, "Reminder: reading for %(rotation)s is due %(due)s", **values),
        Kind.OVERDUE: gettext(
            lang, "Overdue: reading for your %(rotation)s shift on %(starts)s", **values
        ),
    }
    openings = {
        Kind.ASSIGN: gettext(
            lang,
            "Your %(rotation)s shift starts %(starts)s. Please read and "
            "acknowledge these cards by %(due)s:",
            **values,
        ),
        Kind.DUE_SOON: gettext(
            lang,
            "The reading for your %(rotation)s shift (%(starts)s) is due %(due)s. Still unread:",
            **values,
        ),
        Kind.OVERDUE: gettext(
            lang,
            "The reading for your %(rotation)s shift (%(starts)s) was due "
            "%(due)s. Your managers have been told. Still unread:",
            **values,
        ),
    }
    return Text(
        subject=subjects[reminder.kind],
        body="\n".join(
            [
                hello(recipient.name, lang),
                "",
                openings[reminder.kind],
                *card_lines(cards, lang),
                "",
                checklist_line(base_url, lang),
            ]
        ),
    )


def digest(texts: Sequence[Text], *, recipient_name: str, locale: str = "en") -> Text:
    """One message for several reminders to one person: a digest instead of a burst."""
    if len(texts) == 1:
        return texts[0]
    greeting = hello(recipient_name, locale)
    sections = []
    for number, text in enumerate(texts, start=1):
        # Each part greets again; the digest greets once.
        greets = text.body.startswith(("Hello ", greeting))
        body = text.body.split("\n\n", 1)[-1] if greets else text.body
        sections.append(f"{number}. {text.subject}\n\n{body}")
    return Text(
        subject=ngettext(
            locale, "allhands: %(count)s reminder", "allhands: %(count)s reminders", len(texts)
        ),
        body=f"{greeting}\n\n" + "\n\n".join(sections),
    )
