"""Reading for whoever takes a shift over: once a cover, trade or override gives a shift to
someone, they are told what to read and by when. If the shift's usual due time has passed,
the shift gets its own due time: as long as the reading takes at the estimate per card,
and never later than the shift's start."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from core.i18n import choose, gettext
from kb_links.models import Card
from onboarding import facts, messages, outbox, readiness
from rotation.models import Shift, SwapRequest


def _due_for(entry: readiness.ShiftReadiness, *, now: datetime) -> datetime | None:
    """A due time the new holder can meet, before the shift starts; None: the usual one."""
    if entry.due_at is None or entry.due_at > now:
        return None
    needed = timedelta(minutes=readiness.READING_MINUTES_PER_CARD * len(entry.missing))
    return min(now + needed, entry.shift.start)


def assign(
    session: Session, *, shift_ids: Iterable[int], now: datetime, base_url: str
) -> list[str]:
    """Give the new holders of ``shift_ids`` their missing reading and tell them by email;
    returns the outbox keys written (one per shift and holder, however often called)."""
    ids = sorted(set(shift_ids))
    reading = facts.load_reading(
        session, where=facts.live_shift_conditions(Shift.id.in_(ids), Shift.start > now)
    )
    results = reading.statuses(now=now)
    new = []
    for entry in results:
        shift = reading.shifts_by_id[entry.shift.id]
        person = shift.person
        shift.reading_due_at = None
        if person is None or not entry.missing:
            continue
        late = _due_for(entry, now=now)
        shift.reading_due_at = late
        due = late or entry.due_at
        if not person.notify_email:
            continue
        new.append(_message(shift, entry, due=due, base_url=base_url, cards=reading.cards))
    session.flush()
    return outbox.enqueue(session, messages=new, now=now)


def _message(
    shift: Shift,
    entry: readiness.ShiftReadiness,
    *,
    due: datetime | None,
    base_url: str,
    cards: dict[int, Card],
) -> outbox.NewMessage:
    person = shift.person
    assert person is not None
    tz, lang = person.timezone, choose(person.locale)
    values = {"rotation": shift.rotation.name, "starts": messages.when(shift.start, tz, lang)}
    if due:
        opening = gettext(
            lang,
            "You now have the %(rotation)s shift from %(starts)s. "
            "Please read and acknowledge these cards by %(due)s:",
            due=messages.when(due, tz, lang),
            **values,
        )
    else:
        opening = gettext(
            lang,
            "You now have the %(rotation)s shift from %(starts)s. "
            "Please read and acknowledge these cards:",
            **values,
        )
    shown = [
        messages.CardInfo(card.id, card.title, card.url, card.version)
        for card in (cards[card_id] for card_id in entry.missing)
    ]
    lines = [
        messages.hello(person.name, lang),
        "",
        opening,
        *messages.card_lines(shown, lang),
        "",
        messages.checklist_line(base_url, lang),
    ]
    return outbox.email(
        kind="cover-reading",
        to=(person.id, person.name, person.email),
        dedupe_key=f"cover-reading:{shift.id}:{person.id}:s{shift.sequence}",
        subject=gettext(lang, "Reading for the %(rotation)s shift you took over", **values),
        body="\n".join(lines),
        shift_id=shift.id,
        card_ids=list(entry.missing),
        locale=lang,
    )


def after_swap(session: Session, *, swap: SwapRequest, now: datetime, base_url: str) -> list[str]:
    """``assign`` for the shifts of a swap that has taken effect (its shift left the
    requester); nothing for one still waiting, declined or withdrawn."""
    shift = session.get(Shift, swap.shift_id)
    if shift is None or shift.person_id == swap.requester_id:
        return []
    ids = [swap.shift_id, *([swap.counterpart_shift_id] if swap.counterpart_shift_id else [])]
    return assign(session, shift_ids=ids, now=now, base_url=base_url)
