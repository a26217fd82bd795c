"""What the Slack app's buttons and the swap modal do, as the person who clicked.

Each action goes through the same domain functions as the API, so the same rules decide:
only the counterpart accepts or declines, only a manager approves, a card is read only at
its current version. A refusal is told to the person and changes nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Conflict, DomainError
from core.i18n import N_, choose, format_day, gettext
from core.models import Person
from flows.slack_commands import SWAP_CALLBACK, reply
from kb_links.models import Card
from onboarding import acks
from onboarding.slack import identities
from onboarding.slack.blocks import escape, link
from onboarding.slack.client import SlackClient, SlackError
from rotation import swaps
from rotation.models import Rotation, Shift, SwapRequest

SwapAnswer = Callable[..., SwapRequest]
SWAP_ACTIONS: dict[str, tuple[SwapAnswer, str]] = {
    "swap_accept": (swaps.accept, N_("Swap %(id)s accepted by %(name)s.")),
    "swap_decline": (swaps.decline, N_("Swap %(id)s declined by %(name)s.")),
    "swap_approve": (swaps.approve, N_("Swap %(id)s approved by %(name)s.")),
}


def _int(text: object) -> int:
    try:
        value = int(str(text))
    except ValueError as exc:
        raise DomainError("this button carries no valid id") from exc
    if not 0 < value < 2**31:
        raise DomainError("this button carries no valid id")
    return value


def block_action(
    session: Session,
    *,
    client: SlackClient | None,
    person: Person,
    payload: dict[str, Any],
    now: datetime,
) -> dict[str, Any]:
    """Carry out the first action of a ``block_actions`` payload."""
    actions = payload.get("actions") or [{}]
    action_id, value = str(actions[0].get("action_id", "")), actions[0].get("value", "")
    try:
        with session.begin_nested():
            if action_id in SWAP_ACTIONS:
                text = _answer_swap(
                    session, person=person, action_id=action_id, value=value, now=now
                )
            elif action_id == "ack_card":
                text = _ack(session, person=person, value=str(value), now=now)
            else:
                return {}  # a link button: Slack opens the link, nothing to do here
    except DomainError as exc:
        lang = choose(person.locale)
        return reply(gettext(lang, "Not done: %(reason)s", reason=escape(exc.detail)))
    _update_message(client, payload=payload, text=text)
    return reply(text)


def _answer_swap(
    session: Session, *, person: Person, action_id: str, value: object, now: datetime
) -> str:
    act, done = SWAP_ACTIONS[action_id]
    swap = act(session, swap=swaps.get_swap(session, _int(value)), person=person, now=now)
    return gettext(choose(person.locale), done, id=swap.id, name=escape(person.name))


def _ack(session: Session, *, person: Person, value: str, now: datetime) -> str:
    card_text, _, version_text = value.partition(":")
    card_id, version = _int(card_text), _int(version_text)
    try:
        view = acks.acknowledge(session, person=person, card_id=card_id, version=version, now=now)
    except Conflict as exc:
        card = session.get(Card, card_id)
        if card is None or "current_version" not in exc.extra:
            raise
        raise Conflict(
            gettext(
                choose(person.locale),
                "%(card)s changed since (now version %(version)s); "
                "read it again, then mark it read",
                card=link(card.url, card.title),
                version=card.version,
            )
        ) from exc
    return gettext(
        choose(person.locale),
        "Marked read: %(title)s (version %(version)s).",
        title=escape(view.card_title),
        version=version,
    )


def _update_message(client: SlackClient | None, *, payload: dict[str, Any], text: str) -> None:
    """Replace the clicked message's buttons with what happened (``chat.update``)."""
    container = payload.get("container") or {}
    channel, ts = container.get("channel_id"), container.get("message_ts")
    if client is None or not channel or not ts:
        return
    blocks = [SectionBlock(text=MarkdownTextObject(text=text)).to_dict()]
    # The action happened; an outdated message is no reason to undo it.
    with contextlib.suppress(SlackError):
        client.update_message(channel=str(channel), ts=str(ts), text=text, blocks=blocks)


def view_submission(
    session: Session,
    *,
    client: SlackClient | None,
    person: Person,
    payload: dict[str, Any],
    now: datetime,
) -> dict[str, Any]:
    """The swap modal was submitted: offer the shift to the chosen colleague."""
    view = payload.get("view") or {}
    if view.get("callback_id") != SWAP_CALLBACK:
        return {}
    values = (view.get("state") or {}).get("values") or {}
    selected = (values.get("shift", {}).get("shift", {}).get("selected_option") or {}).get("value")
    slack_user = values.get("colleague", {}).get("colleague", {}).get("selected_user")
    colleague = None
    if slack_user:
        colleague = identities.person_for(
            session, client=client, slack_user_id=str(slack_user), now=now
        )
    if colleague is None:
        return _errors(
            colleague=gettext(
                choose(person.locale),
                "They are not in allhands (no person has their Slack email).",
            )
        )
    trade_day = values.get("trade", {}).get("trade", {}).get("selected_date")
    try:
        with session.begin_nested():
            shift_id = _int(selected)
            their_shift = (
                _their_shift(
                    session,
                    shift_id=shift_id,
                    colleague=colleague,
                    day=str(trade_day),
                    lang=choose(person.locale),
                )
                if trade_day
                else None
            )
            swaps.request_swap(
                session,
                requester=person,
                shift_id=shift_id,
                counterpart_shift_id=their_shift,
                counterpart_person_id=None if their_shift else colleague.id,
                now=now,
            )
    except TradeNotFound as exc:
        return _errors(trade=exc.detail)
    except DomainError as exc:
        return _errors(shift=exc.detail)
    return {}


class TradeNotFound(DomainError):
    """The colleague has no shift of that rotation on the day asked for."""


def _their_shift(session: Session, *, shift_id: int, colleague: Person, day: str, lang: str) -> int:
    """The colleague's live shift of the same rotation under way on ``day`` (its local date)."""
    mine = session.get(Shift, shift_id)
    if mine is None:
        raise DomainError(f"shift {shift_id} not found")
    rotation = session.get(Rotation, mine.rotation_id)
    assert rotation is not None
    try:
        local = date.fromisoformat(day)
    except ValueError as exc:
        raise TradeNotFound(gettext(lang, "Pick a day from the calendar.")) from exc
    zone = ZoneInfo(rotation.timezone)
    start = datetime.combine(local, time(0), tzinfo=zone)
    found = session.scalar(
        select(Shift.id)
        .where(
            Shift.rotation_id == rotation.id,
            Shift.person_id == colleague.id,
            Shift.cancelled_at.is_(None),
            Shift.start < start + timedelta(days=1),
            Shift.end > start,
        )
        .order_by(Shift.start)
        .limit(1)
    )
    if found is None:
        raise TradeNotFound(
            gettext(
                lang,
                "%(name)s has no %(rotation)s shift on %(day)s.",
                name=colleague.name,
                rotation=rotation.name,
                day=format_day(local, locale=lang) if lang != "en" else day,
            )
        )
    return found


def _errors(**errors: str) -> dict[str, Any]:
    """Slack's documented answer that shows errors next to the modal's fields."""
    return {"response_action": "errors", "errors": {k: v[:150] for k, v in errors.items()}}
