"""Slack DMs about shifts at risk: the person on the shift and the rotation's managers hear
once per shift and stage, with a button per best-prepared colleague that opens the page
offering them the cover (the same page the email links to).

Keys name the shift, its person, the stage and the recipient, so each DM is written and sent
once however often, or however concurrently, the Slack job runs.
"""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import ButtonElement
from sqlalchemy.orm import Session

from core.i18n import choose, gettext, ngettext
from core.models import Person
from onboarding import at_risk, outbox
from onboarding.slack.blocks import escape, when
from onboarding.slack.swap_notices import dm

# Slack allows at most 25 elements in an actions block; a notice names a few colleagues.
MAX_BUTTONS = at_risk.CANDIDATES_SHOWN


def plan(session: Session, *, now: datetime, base_url: str) -> list[outbox.NewMessage]:
    """A DM per at-risk shift of a Slack-enabled rotation, for its person and managers."""
    found = [
        item
        for item in at_risk.at_risk_shifts(session, now=now)
        if item.shift.rotation.slack_channel or item.shift.rotation.slack_usergroup
    ]
    if not found:
        return []
    managers = at_risk.managers_of(
        session, rotation_ids=sorted({item.shift.rotation_id for item in found})
    )
    messages: list[outbox.NewMessage] = []
    for item in found:
        holder = item.shift.person
        assert holder is not None
        others = [m for m in managers.get(item.shift.rotation_id, []) if m.id != holder.id]
        for person in [holder, *others]:
            messages.append(
                dm(
                    kind="slack.at_risk",
                    person=person,
                    key=f"slack/at-risk/{item.shift.id}/{holder.id}/{item.stage}/{person.id}",
                    text=_text(item, holder=holder, reader=person),
                    buttons=_buttons(item, base_url=base_url, lang=choose(person.locale)),
                )
            )
    return messages


def _why(item: at_risk.AtRiskShift, lang: str) -> str:
    left = len(item.readiness.missing)
    if item.stage == "overdue":
        return ngettext(
            lang,
            "the reading is overdue and %(count)s card is still unread",
            "the reading is overdue and %(count)s cards are still unread",
            left,
        )
    return ngettext(
        lang,
        "the %(count)s card left cannot all be read before the reading is due",
        "the %(count)s cards left cannot all be read before the reading is due",
        left,
    )


def _text(item: at_risk.AtRiskShift, *, holder: Person, reader: Person) -> str:
    rotation = item.shift.rotation
    lang = choose(reader.locale)
    values = {
        "holder": escape(holder.name),
        "rotation": escape(rotation.name),
        "start": f"{when(item.shift.start, rotation.timezone, lang)} ({rotation.timezone})",
        "why": _why(item, lang),
    }
    if reader.id == holder.id:
        text = gettext(lang, "Your %(rotation)s shift on %(start)s is at risk: %(why)s.", **values)
    else:
        text = gettext(
            lang, "%(holder)s's %(rotation)s shift on %(start)s is at risk: %(why)s.", **values
        )
    if item.candidates:
        return text + " " + gettext(lang, "Best prepared to cover it:")
    return (
        text + " " + gettext(lang, "Nobody else in the rotation is ready or can be ready in time.")
    )


def _buttons(item: at_risk.AtRiskShift, *, base_url: str, lang: str) -> list[ButtonElement]:
    return [
        ButtonElement(
            text=gettext(lang, "Offer cover to %(name)s", name=candidate.person.name)[:75],
            action_id=f"offer_cover_{candidate.person.id}",
            url=at_risk.cover_url(base_url, shift_id=item.shift.id, person_id=candidate.person.id),
        )
        for candidate in item.candidates[:MAX_BUTTONS]
    ]
