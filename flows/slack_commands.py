"""``/allhands who|next|checklist|swap``: what the slash command answers, as the person
behind the Slack user. Answers are ephemeral (only the caller sees them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    DatePickerElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    SectionBlock,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from core.i18n import N_, choose, gettext, ngettext
from core.models import Person
from onboarding import progress
from onboarding.slack.blocks import checklist_button, escape, link, when
from onboarding.slack.client import SlackClient
from rotation import service as rotation_service
from rotation.models import Rotation, Shift

HELP = N_(
    "Try `/allhands who [rotation]` (on now and next), `/allhands next` (your next shifts), "
    "`/allhands checklist` (what you still have to read) or `/allhands swap` (offer a shift)."
)
SWAP_CALLBACK = "swap_offer"
MAX_CARDS = 10
MAX_SHIFTS = 25


def reply(text: str, blocks: list[Block] | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"response_type": "ephemeral", "text": text}
    if blocks:
        answer["blocks"] = [block.to_dict() for block in blocks]
    return answer


def command(
    session: Session,
    *,
    client: SlackClient | None,
    person: Person,
    text: str,
    trigger_id: str,
    now: datetime,
    base_url: str,
) -> dict[str, Any]:
    """The answer to ``/allhands <text>``."""
    verb, _, rest = text.strip().partition(" ")
    verb = verb.lower()
    lang = choose(person.locale)
    if verb == "who":
        return _who(session, name=rest.strip(), now=now, lang=lang)
    if verb == "next":
        return _next(session, person=person, now=now, lang=lang)
    if verb == "checklist":
        return _checklist(session, person=person, now=now, base_url=base_url, lang=lang)
    if verb == "swap":
        return _swap(session, client=client, person=person, trigger_id=trigger_id, now=now)
    return reply(gettext(lang, HELP))


def _names(shifts: list[Shift], lang: str) -> str:
    return ", ".join(escape(s.person.name) for s in shifts if s.person) or gettext(lang, "nobody")


def _upcoming(session: Session, *, rotation: Rotation, now: datetime) -> list[Shift]:
    """The next handoff's shifts (every slot starting at the next start after ``now``)."""
    first = session.scalar(
        select(Shift.start)
        .where(Shift.rotation_id == rotation.id, Shift.cancelled_at.is_(None), Shift.start > now)
        .order_by(Shift.start)
        .limit(1)
    )
    if first is None:
        return []
    return list(
        session.scalars(
            select(Shift)
            .where(
                Shift.rotation_id == rotation.id,
                Shift.cancelled_at.is_(None),
                Shift.start == first,
            )
            .options(joinedload(Shift.person))
            .order_by(Shift.slot)
        )
    )


def _who(session: Session, *, name: str, now: datetime, lang: str) -> dict[str, Any]:
    rotations = rotation_service.list_rotations(session, archived=False)
    if name:
        wanted = name.lower().lstrip("#")
        rotations = [r for r in rotations if wanted in (r.slug, r.name.lower())]
        if not rotations:
            missing = gettext(lang, "No rotation is called %(name)s.", name=escape(name))
            return reply(f"{missing} {gettext(lang, HELP)}")
    lines = []
    for rotation in rotations:
        on = rotation_service.on_call(session, rotation=rotation, at=now)
        upcoming = _upcoming(session, rotation=rotation, now=now)
        line = f"*{escape(rotation.name)}*: " + gettext(
            lang, "%(names)s now", names=_names(on, lang)
        )
        if upcoming:
            line += "; " + gettext(
                lang,
                "next %(names)s from %(start)s (%(zone)s)",
                names=_names(upcoming, lang),
                start=when(upcoming[0].start, rotation.timezone, lang),
                zone=rotation.timezone,
            )
        lines.append(line)
    text = "\n".join(lines) or gettext(lang, "There are no rotations yet.")
    return reply(text, [SectionBlock(text=MarkdownTextObject(text=text[:3000]))])


def my_shifts(session: Session, *, person: Person, now: datetime, limit: int) -> list[Shift]:
    """The person's live shifts not yet ended, soonest first."""
    return list(
        session.scalars(
            select(Shift)
            .join(Shift.rotation)
            .where(
                Shift.person_id == person.id,
                Shift.cancelled_at.is_(None),
                Shift.end > now,
                Rotation.archived.is_(False),
            )
            .options(joinedload(Shift.rotation))
            .order_by(Shift.start, Shift.id)
            .limit(limit)
        )
    )


def _next(session: Session, *, person: Person, now: datetime, lang: str) -> dict[str, Any]:
    shifts = my_shifts(session, person=person, now=now, limit=5)
    if not shifts:
        return reply(gettext(lang, "You have no shifts coming up."))
    text = "\n".join(
        f"*{escape(s.rotation.name)}*: "
        + gettext(
            lang,
            "%(start)s to %(end)s (%(zone)s)",
            start=when(s.start, s.rotation.timezone, lang),
            end=when(s.end, s.rotation.timezone, lang),
            zone=s.rotation.timezone,
        )
        for s in shifts
    )
    return reply(text, [SectionBlock(text=MarkdownTextObject(text=text))])


def _checklist(
    session: Session, *, person: Person, now: datetime, base_url: str, lang: str
) -> dict[str, Any]:
    cards = {
        card.id: card
        for entry in progress.checklist(session, person=person, now=now)
        for card, state in entry.cards
        if not state.acknowledged
    }
    if not cards:
        return reply(gettext(lang, "You are up to date: nothing left to read."))
    count = len(cards)
    heading = ngettext(
        lang, "You have %(count)s card(s) to read:", "You have %(count)s card(s) to read:", count
    )
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=heading))]
    for card in list(cards.values())[:MAX_CARDS]:
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=gettext(
                        lang,
                        "%(card)s (version %(version)s)",
                        card=link(card.url, card.title),
                        version=card.version,
                    )
                ),
                accessory=ButtonElement(
                    text=gettext(lang, "Mark read"),
                    action_id="ack_card",
                    value=f"{card.id}:{card.version}",
                ),
            )
        )
    blocks.append(checklist_button(f"{base_url}/me/checklist", lang))
    summary = ngettext(
        lang, "You have %(count)s card(s) to read.", "You have %(count)s card(s) to read.", count
    )
    return reply(summary, blocks)


def swap_view(shifts: list[Shift], lang: str = "en") -> dict[str, Any]:
    """The modal offering one of ``shifts`` to a colleague."""
    options = [
        Option(
            value=str(s.id),
            text=f"{s.rotation.name[:40]}: {when(s.start, s.rotation.timezone, lang)}"[:75],
        )
        for s in shifts
    ]
    view = View(
        type="modal",
        callback_id=SWAP_CALLBACK,
        title=gettext(lang, "Offer a shift"),
        submit=gettext(lang, "Ask"),
        close=gettext(lang, "Cancel"),
        blocks=[
            InputBlock(
                block_id="shift",
                label=gettext(lang, "Your shift"),
                element=StaticSelectElement(action_id="shift", options=options),
            ),
            InputBlock(
                block_id="colleague",
                label=gettext(lang, "Who should take it"),
                element=UserSelectElement(action_id="colleague"),
            ),
            InputBlock(
                block_id="trade",
                label=gettext(lang, "Trade for their shift on"),
                hint=gettext(lang, "Leave empty to ask them to cover yours."),
                optional=True,
                element=DatePickerElement(action_id="trade"),
            ),
        ],
    )
    result: dict[str, Any] = view.to_dict()
    return result


def _swap(
    session: Session,
    *,
    client: SlackClient | None,
    person: Person,
    trigger_id: str,
    now: datetime,
) -> dict[str, Any]:
    shifts = [
        s for s in my_shifts(session, person=person, now=now, limit=MAX_SHIFTS) if s.start > now
    ]
    lang = choose(person.locale)
    if not shifts:
        return reply(gettext(lang, "You have no upcoming shift to offer."))
    if client is None:
        return reply(
            gettext(lang, "The Slack app has no bot token set up; offer the swap on the web.")
        )
    client.open_view(trigger_id=trigger_id, view=swap_view(shifts, lang))
    return {}
