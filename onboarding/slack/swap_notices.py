"""Plan the Slack DMs about swaps: the counterpart is asked with Accept/Decline buttons, and
when the rotation wants approval, its managers get an Approve button once it is accepted.

Keys name the swap and its step, so each DM is written and sent once; a click goes to
``/slack/interactions`` and is judged like the same answer through the API.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from slack_sdk.models.blocks import ActionsBlock, ButtonElement, MarkdownTextObject, SectionBlock
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased, joinedload

from core.i18n import choose, gettext
from core.models import Person
from onboarding import outbox
from onboarding.slack.blocks import escape, when
from onboarding.slack.handoffs import CHANNEL
from rotation.models import Rotation, Shift, SwapRequest, rotation_manager

# Swaps asked or accepted longer ago than this are answered on the web, not pushed again.
LOOKBACK = timedelta(days=2)


def dm(
    *, kind: str, person: Person, key: str, text: str, buttons: list[ButtonElement]
) -> outbox.NewMessage:
    blocks = [SectionBlock(text=MarkdownTextObject(text=text)).to_dict()]
    if buttons:
        blocks.append(ActionsBlock(elements=buttons).to_dict())
    return outbox.NewMessage(
        kind=kind,
        channel=CHANNEL,
        recipient=person.email,
        dedupe_key=key,
        subject=kind,
        body=text,
        payload={"action": "dm", "person_id": person.id, "text": text, "blocks": blocks},
    )


def plan(session: Session, *, now: datetime) -> list[outbox.NewMessage]:
    """DMs for swaps of Slack-enabled rotations waiting on someone's answer."""
    requester, counterpart = aliased(Person), aliased(Person)
    rows = session.execute(
        select(SwapRequest, Shift, Rotation, requester, counterpart)
        .join(Shift, Shift.id == SwapRequest.shift_id)
        .join(Rotation, Rotation.id == Shift.rotation_id)
        .join(requester, requester.id == SwapRequest.requester_id)
        .join(counterpart, counterpart.id == SwapRequest.counterpart_person_id)
        .where(
            SwapRequest.status.in_(["pending", "accepted"]),
            SwapRequest.updated_at > now - LOOKBACK,
            Rotation.archived.is_(False),
            Rotation.slack_channel != "",
        )
        .options(joinedload(Shift.person))
        .order_by(SwapRequest.id)
    ).all()
    messages: list[outbox.NewMessage] = []
    for swap, shift, rotation, asker, asked in rows:
        if swap.status == "pending":
            messages.append(
                _ask(swap=swap, shift=shift, rotation=rotation, asker=asker, asked=asked)
            )
        elif rotation.swap_requires_approval:
            messages += _approvals(
                session, swap=swap, shift=shift, rotation=rotation, asker=asker, asked=asked
            )
    return messages


def _span(shift: Shift, rotation: Rotation, locale: str) -> str:
    return gettext(
        locale,
        "%(rotation)s from %(start)s (%(zone)s)",
        rotation=escape(rotation.name),
        start=when(shift.start, rotation.timezone, locale),
        zone=rotation.timezone,
    )


def _ask(
    *, swap: SwapRequest, shift: Shift, rotation: Rotation, asker: Person, asked: Person
) -> outbox.NewMessage:
    lang = choose(asked.locale)
    text = gettext(
        lang,
        "%(asker)s asks you to take their shift: %(span)s.",
        asker=escape(asker.name),
        span=_span(shift, rotation, lang),
    )
    buttons = [
        ButtonElement(
            text=gettext(lang, "Accept"),
            action_id="swap_accept",
            value=str(swap.id),
            style="primary",
        ),
        ButtonElement(text=gettext(lang, "Decline"), action_id="swap_decline", value=str(swap.id)),
    ]
    return dm(
        kind="slack.swap.ask",
        person=asked,
        key=f"slack/swap/{swap.id}/ask",
        text=text,
        buttons=buttons,
    )


def _approvals(
    session: Session,
    *,
    swap: SwapRequest,
    shift: Shift,
    rotation: Rotation,
    asker: Person,
    asked: Person,
) -> list[outbox.NewMessage]:
    managers = session.scalars(
        select(Person)
        .join(rotation_manager, rotation_manager.c.person_id == Person.id)
        .where(rotation_manager.c.rotation_id == rotation.id, Person.active.is_(True))
        .order_by(Person.id)
    )

    def approval(manager: Person) -> outbox.NewMessage:
        lang = choose(manager.locale)
        text = gettext(
            lang,
            "%(asked)s agreed to take %(asker)s's shift: %(span)s. Approve?",
            asked=escape(asked.name),
            asker=escape(asker.name),
            span=_span(shift, rotation, lang),
        )
        button = ButtonElement(
            text=gettext(lang, "Approve"),
            action_id="swap_approve",
            value=str(swap.id),
            style="primary",
        )
        return dm(
            kind="slack.swap.approve",
            person=manager,
            key=f"slack/swap/{swap.id}/approve/{manager.id}",
            text=text,
            buttons=[button],
        )

    return [approval(manager) for manager in managers]
