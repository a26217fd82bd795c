"""Flags on cards: a reader says a card is wrong or lacks something; the card's verifier hears
by email, and resolving the flag with a major change sends the card back to be read again by
the people on upcoming shifts that require it, and nobody else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit
from core.errors import Conflict, NotFound
from core.i18n import choose, gettext
from core.models import Person
from kb_links import service as cards
from kb_links.models import Card, CardFlag
from kb_links.schemas import Change
from onboarding import facts, messages, outbox
from onboarding.models import CardSetItem, RotationRequirement
from rotation.models import Shift

# How a flag is resolved: nothing to change, a minor edit (no re-reading), a major one.
RESOLUTIONS = ("none", "minor", "major")
REVISIONS: dict[str, Change] = {"minor": "minor", "major": "major"}


@dataclass(frozen=True)
class Resolved:
    flag: CardFlag
    card: Card
    # Outbox keys of the re-reading notices this resolution queued.
    queued: list[str]


def list_flags(
    session: Session,
    *,
    card: Card,
    open_only: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> list[CardFlag]:
    """The card's flags, open ones first, newest first within each; ``limit`` and
    ``offset`` read one page."""
    query = select(CardFlag).where(CardFlag.card_id == card.id)
    if open_only:
        query = query.where(CardFlag.resolved_at.is_(None))
    return list(
        session.scalars(
            query.order_by(
                CardFlag.resolved_at.is_not(None), CardFlag.created_at.desc(), CardFlag.id
            )
            .limit(limit)
            .offset(offset)
        )
    )


def open_counts(session: Session, *, card_ids: list[int]) -> dict[int, int]:
    """Open flags per card (one query)."""
    counts: dict[int, int] = {}
    for card_id in session.scalars(
        select(CardFlag.card_id).where(
            CardFlag.card_id.in_(card_ids), CardFlag.resolved_at.is_(None)
        )
    ):
        counts[card_id] = counts.get(card_id, 0) + 1
    return counts


def get_flag(session: Session, *, card: Card, flag_id: int) -> CardFlag:
    flag = session.get(CardFlag, flag_id)
    if flag is None or flag.card_id != card.id:
        raise NotFound(f"flag {flag_id} not found on card {card.id}")
    return flag


def _flag_email(
    card: Card, flag: CardFlag, *, author: Person, verifier: Person, base_url: str
) -> outbox.NewMessage:
    lang = choose(verifier.locale)
    flags_url = base_url + f"/cards/{card.id}/edit#flags"
    values = {"title": card.title, "author": author.name, "version": card.version}
    text = messages.Text(
        subject=gettext(lang, "“%(title)s” was flagged by %(author)s", **values),
        body="\n".join(
            [
                messages.hello(verifier.name, lang),
                "",
                gettext(
                    lang,
                    "%(author)s flagged “%(title)s” (version %(version)s), which you verify:",
                    **values,
                ),
                "",
                *(f"  > {line}" for line in flag.comment.splitlines()),
                "",
                gettext(lang, "The card: %(url)s", url=card.url),
                gettext(lang, "Resolve the flag: %(url)s", url=flags_url),
            ]
        ),
    )
    return outbox.email(
        kind="card-flag",
        to=(verifier.id, verifier.name, verifier.email),
        dedupe_key=f"card-flag:{flag.id}:{verifier.id}",
        subject=text.subject,
        body=text.body,
        card_ids=[card.id],
        locale=lang,
    )


def flag_card(
    session: Session, *, card: Card, author: Person, comment: str, now: datetime, base_url: str
) -> CardFlag:
    """Record a flag and queue an email to the card's verifier (if it has an active one)."""
    if card.archived:
        raise Conflict("this card is archived; it can no longer be flagged")
    flag = CardFlag(card_id=card.id, author_id=author.id, comment=comment, created_at=now)
    session.add(flag)
    session.flush()
    audit.Trail(session, actor=author, at=now).record(
        "card.flag", ("card", card.id), after={"flag_id": flag.id, "comment": comment}
    )
    verifier = session.get(Person, card.verifier_id) if card.verifier_id else None
    if verifier is not None and verifier.active and verifier.notify_email:
        email = _flag_email(card, flag, author=author, verifier=verifier, base_url=base_url)
        outbox.enqueue(session, messages=[email], now=now)
    return flag


def resolve_flag(
    session: Session,
    *,
    card: Card,
    flag: CardFlag,
    resolver: Person,
    change: str,
    note: str,
    now: datetime,
    base_url: str,
) -> Resolved:
    """Close the flag; a ``minor`` or ``major`` change revises the card with ``note`` as its
    revision note, and a major one queues re-reading notices for upcoming shifts that
    require the card."""
    if flag.resolved_at is not None:
        raise Conflict("this flag is already resolved")
    revision = REVISIONS.get(change)
    if revision is not None:
        summary = note or f"resolved a flag: {flag.comment[:120]}"
        cards.revise_card(
            session,
            card=card,
            changes={},
            change=revision,
            now=now,
            actor=resolver,
            summary=summary,
        )
    flag.resolved_at = now
    flag.resolved_by_id = resolver.id
    flag.resolution = note
    flag.change = change
    session.flush()
    queued = []
    if change == "major":
        queued = _queue_rereading(session, card=card, note=note, now=now, base_url=base_url)
    return Resolved(flag, card, queued)


def _queue_rereading(
    session: Session, *, card: Card, note: str, now: datetime, base_url: str
) -> list[str]:
    """Tell the person on every upcoming shift whose assigned reading includes ``card``."""
    requiring = (
        select(RotationRequirement.rotation_id)
        .join(CardSetItem, CardSetItem.card_set_id == RotationRequirement.card_set_id)
        .where(CardSetItem.card_id == card.id)
    )
    reading = facts.load_reading(
        session,
        where=facts.live_shift_conditions(
            Shift.person_id.is_not(None), Shift.end > now, Shift.rotation_id.in_(requiring)
        ),
    )
    entries = reading.checklists(now=now)
    new = []
    for entry in entries:
        if card.id not in entry.card_ids:
            continue
        shift = reading.shifts_by_id[entry.shift.id]
        person = shift.person
        if person is None or not person.active or not person.notify_email:
            continue
        new.append(_reread_email(card, shift, person, note=note, base_url=base_url))
    return outbox.enqueue(session, messages=new, now=now)


def _reread_email(
    card: Card, shift: Shift, person: Person, *, note: str, base_url: str
) -> outbox.NewMessage:
    """To the person on ``shift``: ``card`` changed and is part of their reading."""
    lang = choose(person.locale)
    values = {
        "title": card.title,
        "version": card.version,
        "rotation": shift.rotation.name,
        "starts": messages.when(shift.start, person.timezone, lang),
    }
    lines = [
        messages.hello(person.name, lang),
        "",
        gettext(
            lang,
            "“%(title)s” changed (now version %(version)s) and is required reading for "
            "your %(rotation)s shift on %(starts)s. Please read it again.",
            **values,
        ),
    ]
    if note:
        lines += ["", gettext(lang, "What changed: %(note)s", note=note)]
    lines += [
        "",
        gettext(lang, "The card: %(url)s", url=card.url),
        messages.checklist_line(base_url, lang),
    ]
    return outbox.email(
        kind="reread",
        to=(person.id, person.name, person.email),
        dedupe_key=f"reread:{card.id}:v{card.version}:{shift.id}:{person.id}",
        subject=gettext(lang, "Read again: “%(title)s” changed", **values),
        body="\n".join(lines),
        shift_id=shift.id,
        card_ids=[card.id],
        locale=lang,
    )
