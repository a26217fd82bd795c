"""The demo's readiness stories: a day handed to someone who has read nothing (an at-risk
shift, with colleagues ready to cover it) and a card flagged by the next engineer."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from core.errors import Conflict
from core.models import Person
from core.wallclock import local_to_utc
from kb_links.models import Card
from onboarding import acks, candidates, card_flags, facts, readiness
from rotation import overrides
from rotation import service as rotation_service
from rotation.models import Rotation, Shift

# How many days ahead the tier-two rotation calls a shift at risk.
AT_RISK_DAYS = 7
FLAGGED_CARD = "Triage: severity levels and SLAs"
FLAG_COMMENT = (
    "The SLA for severity 2 changed to 8 business hours last month; this still says 24 hours."
)


def _tomorrow(rotation: Rotation, now: datetime) -> tuple[datetime, datetime]:
    """Tomorrow from 09:00 to 09:00 the day after, on the rotation's clock."""
    zone = ZoneInfo(rotation.timezone)
    day = now.astimezone(zone).date() + timedelta(days=1)
    start = local_to_utc(day, time(9, 0), zone)
    return start, local_to_utc(day + timedelta(days=1), time(9, 0), zone)


def hand_over_a_day(
    session: Session,
    *,
    rotation: Rotation,
    stand_ins: list[Person],
    now: datetime,
    admin: Person,
) -> Shift | None:
    """The manager gives tomorrow to someone who has read nothing; with ``at_risk_days`` on,
    that day is at risk and the readiness page suggests who could cover it."""
    rotation.at_risk_days = AT_RISK_DAYS
    start, end = _tomorrow(rotation, now)
    holding = [
        s
        for s in rotation_service.list_shifts(session, rotation=rotation, start=start, end=end)
        if s.start <= start and s.end >= end
    ]
    if not holding:
        return None
    shift = holding[0]
    for stand_in in (p for p in stand_ins if p.id != shift.person_id):
        try:
            # One savepoint per try: someone busy elsewhere then leaves nothing behind.
            with session.begin_nested():
                pieces = overrides.override(
                    session, shift=shift, person=stand_in, start=start, end=end, now=now,
                    actor=admin,
                )  # fmt: skip
        except Conflict:
            continue
        break
    else:
        return None
    day = next(piece for piece in pieces if piece.person_id == stand_in.id)
    _someone_read_ahead(session, shift=day, now=now)
    return day


def _someone_read_ahead(session: Session, *, shift: Shift, now: datetime) -> None:
    """The best placed free colleague has read everything already: the one to ask."""
    free = [
        c.person
        for c in candidates.candidates(session, shift=shift, now=now)
        if c.standing is not candidates.Standing.UNAVAILABLE
    ]
    if not free:
        return
    loaded = facts.load_facts(session, where=[Shift.id == shift.id])
    for card_id in readiness.required_cards(
        loaded.requirements, card_sets=loaded.card_sets, cards=loaded.card_facts
    ):
        acks.acknowledge(session, person=free[0], card_id=card_id, version=None, now=now)


def load_stories(
    session: Session,
    *,
    rotation: Rotation,
    unread: list[Person],
    readers: list[Person],
    manager: Person,
    cards: dict[str, Card],
    now: datetime,
    base_url: str,
) -> None:
    """A day handed to one of ``unread``, and a card flagged by the first of ``readers``."""
    hand_over_a_day(session, rotation=rotation, stand_ins=unread, now=now, admin=manager)
    if readers:
        flag_a_card(session, cards=cards, reader=readers[0], now=now, base_url=base_url)


def flag_a_card(
    session: Session, *, cards: dict[str, Card], reader: Person, now: datetime, base_url: str
) -> None:
    """The next engineer found a card out of date while reading; its verifier is told."""
    card_flags.flag_card(
        session,
        card=cards[FLAGGED_CARD],
        author=reader,
        comment=FLAG_COMMENT,
        now=now,
        base_url=base_url,
    )
