"""Graduation: a shadow who has finished the rotation's shadow shifts and acknowledged every
required card at its current version joins the primaries, and is told so by email.

Run by the periodic job and right after an acknowledgement; a manager's hold keeps a shadow
back. Idempotent: a second run finds nobody left to graduate.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from core.i18n import choose, gettext
from core.models import Person
from kb_links.models import Card
from onboarding import ack_reads, outbox
from onboarding.models import CardSet, CardSetItem, RotationRequirement
from rotation import generation, shadowing, stages
from rotation.models import Rotation, RotationMember

GRADUATION_KIND = "graduation"


@dataclass(frozen=True)
class Graduation:
    rotation_slug: str
    person_id: int


def required_card_ids(session: Session, *, rotation_id: int) -> set[int]:
    """The live cards the rotation's requirements ask for (one query)."""
    return set(
        session.scalars(
            select(Card.id)
            .join(CardSetItem, CardSetItem.card_id == Card.id)
            .join(CardSet, CardSet.id == CardSetItem.card_set_id)
            .join(RotationRequirement, RotationRequirement.card_set_id == CardSet.id)
            .where(RotationRequirement.rotation_id == rotation_id, Card.archived.is_(False))
        )
    )


def _shadows(session: Session, *, person_id: int | None) -> dict[int, list[RotationMember]]:
    """Current shadows not held back, per live rotation."""
    query = (
        select(RotationMember)
        .join(Rotation, Rotation.id == RotationMember.rotation_id)
        .where(
            RotationMember.left_at.is_(None),
            RotationMember.stage == shadowing.SHADOW,
            RotationMember.graduation_held.is_(False),
            Rotation.archived.is_(False),
        )
        .options(joinedload(RotationMember.person))
        .order_by(RotationMember.rotation_id, RotationMember.position)
    )
    if person_id is not None:
        query = query.where(RotationMember.person_id == person_id)
    found: dict[int, list[RotationMember]] = defaultdict(list)
    for member in session.scalars(query):
        found[member.rotation_id].append(member)
    return found


def ready_members(
    session: Session, *, rotation: Rotation, shadows: list[RotationMember], now: datetime
) -> list[RotationMember]:
    """The shadows who did their shadow shifts and read every required card as it is now."""
    person_ids = [m.person_id for m in shadows]
    done = stages.shadow_shifts_done(
        session, rotation_id=rotation.id, person_ids=person_ids, now=now
    )
    required = required_card_ids(session, rotation_id=rotation.id)
    acks = ack_reads.acks_of(session, person_ids=person_ids) if required else {}
    return [
        member
        for member in shadows
        if done.get(member.person_id, 0) >= rotation.shadow_shifts_required
        and all(acks.get(member.person_id, {}).get(card_id) for card_id in required)
    ]


def run(
    session: Session, *, now: datetime, base_url: str, person_id: int | None = None
) -> list[Graduation]:
    """Graduate every shadow who is ready (only ``person_id``'s memberships if given)."""
    graduated: list[Graduation] = []
    for rotation_id, shadows in _shadows(session, person_id=person_id).items():
        rotation = session.get_one(Rotation, rotation_id)
        for member in ready_members(session, rotation=rotation, shadows=shadows, now=now):
            # Another run may have graduated them meanwhile: decide under the rotation's lock.
            generation.lock(session, rotation.id)
            session.refresh(member)
            if member.stage != shadowing.SHADOW or member.graduation_held:
                continue
            set_stage(
                session,
                rotation=rotation,
                member=member,
                stage=shadowing.PRIMARY,
                held=None,
                now=now,
                actor=None,
                base_url=base_url,
                reason="shadow shifts done and required reading current",
            )
            graduated.append(Graduation(rotation.slug, member.person_id))
    return graduated


def set_stage(
    session: Session,
    *,
    rotation: Rotation,
    member: RotationMember,
    stage: str | None,
    held: bool | None,
    now: datetime,
    actor: Person | None,
    base_url: str,
    reason: str = "by hand",
) -> RotationMember:
    """Change a member's stage or hold (``rotation.stages.change``); a shadow who leaves the
    shadow stage is told by email."""
    was_shadow = member.stage == shadowing.SHADOW
    stages.change(
        session,
        rotation=rotation,
        member=member,
        stage=stage,
        held=held,
        now=now,
        actor=actor,
        reason=reason,
    )
    if was_shadow and member.stage != shadowing.SHADOW:
        _tell(session, rotation=rotation, member=member, now=now, base_url=base_url)
    return member


def _tell(
    session: Session, *, rotation: Rotation, member: RotationMember, now: datetime, base_url: str
) -> None:
    """Queue the graduation email once per membership."""
    person: Person = member.person
    if not person.notify_email:
        return
    rotation_url = f"{base_url}/rotations/{rotation.slug}"
    lang = choose(person.locale)
    body = (
        gettext(
            lang,
            "You have finished your shadow shifts and your required reading for %(rotation)s: "
            "from now on you take shifts of your own, starting from the same count as the "
            "others, so you will not be handed a run of shifts to catch up.",
            rotation=rotation.name,
        )
        + "\n\n"
        + gettext(lang, "Your shifts: %(url)s", url=rotation_url)
        + "\n"
        + gettext(lang, "Your reading: %(url)s", url=base_url + "/me/checklist")
    )
    outbox.enqueue(
        session,
        messages=[
            outbox.NewMessage(
                kind=GRADUATION_KIND,
                channel="email",
                recipient=person.email,
                dedupe_key=f"{GRADUATION_KIND}/{member.id}",
                subject=gettext(
                    lang, "You are now on the %(rotation)s rotation", rotation=rotation.name
                ),
                body=body,
                payload={
                    "recipient_id": person.id,
                    "recipient_name": person.name,
                    "locale": lang,
                    "rotation": rotation.slug,
                },
            )
        ],
        now=now,
    )
