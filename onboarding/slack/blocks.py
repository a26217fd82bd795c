"""The words and Block Kit layout of Slack messages, built from plain values (no database).

Every name and title comes from people or other systems, so it is escaped: a card titled
``<!channel>`` stays text instead of pinging a whole channel.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel import dates
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from core.i18n import gettext, ngettext


def escape(text: str) -> str:
    """Escape Slack's control characters (``&``, ``<``, ``>``)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(url: str, label: str) -> str:
    return f"<{url}|{escape(label).replace('|', '/')}>"


def when(value: datetime, timezone: str, locale: str = "en") -> str:
    """``Mon 14 Dec 09:00`` on the rotation's clock (``ma 14 dec 09:00`` in Dutch)."""
    if locale == "en":
        return value.astimezone(ZoneInfo(timezone)).strftime("%a %d %b %H:%M")
    return dates.format_datetime(value, "EEE d MMM HH:mm", tzinfo=ZoneInfo(timezone), locale=locale)


@dataclass(frozen=True)
class Reading:
    """How far someone is with the reading of one shift."""

    done: int
    required: int
    due_at: datetime | None

    def summary(self, locale: str = "en") -> str:
        if not self.required:
            return gettext(locale, "no reading required")
        mark = " ✔" if self.done == self.required else ""
        done = gettext(
            locale, "reading: %(done)s/%(required)s", done=self.done, required=self.required
        )
        return done + mark


@dataclass(frozen=True)
class Handoff:
    rotation_name: str
    rotation_url: str
    timezone: str
    start: datetime
    end: datetime
    incoming: Sequence[tuple[str, Reading]]
    outgoing: Sequence[str]


@dataclass(frozen=True)
class Message:
    text: str
    blocks: list[dict[str, Any]]

    def as_payload(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks}


def checklist_button(url: str, locale: str = "en") -> ActionsBlock:
    """The button that opens a person's reading checklist."""
    label = gettext(locale, "Open my checklist")
    return ActionsBlock(elements=[ButtonElement(text=label, action_id="open_checklist", url=url)])


def _dicts(blocks: Sequence[Block]) -> list[dict[str, Any]]:
    return [block.to_dict() for block in blocks]


def _names(names: Sequence[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def handoff_post(handoff: Handoff) -> Message:
    """The channel post at a handoff: who is on until when, from whom, and their reading."""
    until = f"{when(handoff.end, handoff.timezone)} ({handoff.timezone})"
    who = _names([escape(name) for name, _ in handoff.incoming]) or "Nobody"
    verb = "are" if len(handoff.incoming) > 1 else "is"
    text = f"{who} {verb} on {escape(handoff.rotation_name)} until {until}"
    if handoff.outgoing:
        text += f", handing over from {_names([escape(n) for n in handoff.outgoing])}"
    # A rotation that requires no reading says nothing about it.
    reading = "; ".join(
        f"{escape(name)} {status.summary()}" if len(handoff.incoming) > 1 else status.summary()
        for name, status in handoff.incoming
        if status.required
    )
    if reading:
        text += f"; {reading}"
    if not handoff.incoming:
        text += " (the shift is uncovered)"
    blocks = [
        SectionBlock(text=MarkdownTextObject(text=text)),
        ContextBlock(
            elements=[MarkdownTextObject(text=link(handoff.rotation_url, "Rotation schedule"))]
        ),
    ]
    return Message(text=text, blocks=_dicts(blocks))


@dataclass(frozen=True)
class ShiftNotice:
    person_name: str
    rotation_name: str
    timezone: str
    start: datetime
    end: datetime
    reading: Reading
    checklist_url: str
    today: bool
    # The language of the person it is addressed to.
    locale: str = "en"


def shift_dm(notice: ShiftNotice) -> Message:
    """A DM to the incoming person, days ahead or on the day, with their checklist status."""
    lang, tz = notice.locale, notice.timezone
    values = {
        "rotation": escape(notice.rotation_name),
        "start": when(notice.start, tz, lang),
        "end": when(notice.end, tz, lang),
        "zone": tz,
    }
    if notice.today:
        text = gettext(
            lang,
            "Your shift starts today: %(rotation)s, %(start)s to %(end)s (%(zone)s).",
            **values,
        )
    else:
        text = gettext(
            lang,
            "Your shift is coming up: %(rotation)s, %(start)s to %(end)s (%(zone)s).",
            **values,
        )
    summary = notice.reading.summary(lang)
    text += f" {summary[:1].upper()}{summary[1:]}"
    left = notice.reading.required - notice.reading.done
    if left and notice.reading.due_at is not None:
        due = when(notice.reading.due_at, tz, lang)
        text += "; " + ngettext(
            lang,
            "%(count)s card(s) left, due %(due)s",
            "%(count)s card(s) left, due %(due)s",
            left,
            due=due,
        )
    text += "."
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=text))]
    if notice.reading.required:
        blocks.append(checklist_button(notice.checklist_url, lang))
    return Message(text=text, blocks=_dicts(blocks))
