"""The demo's newcomers to product support: one who shadowed two shifts, read up and
graduated, and one shadowing now, beside the product managers on the next shifts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from core.models import Person
from core.settings import Settings
from flows import demo_data as data
from onboarding import acks, graduation
from rotation import members
from rotation import service as rotation_service
from rotation.models import Rotation
from rotation.schemas import RotationUpdate

# Links in the graduation email point at the address the server answers on by default.
BASE_URL = str(Settings.model_fields["base_url"].default)


def load_stages(
    session: Session,
    *,
    rotation: Rotation,
    by_local: dict[str, Person],
    joined_at: datetime,
    now: datetime,
    admin: Person,
) -> None:
    """Ask for shadow shifts on ``rotation``; the graduate joined at ``joined_at``, shadowed,
    read everything and graduated by ``now``; the shadow joins at ``now``."""
    rotation_service.update_rotation(
        session,
        rotation=rotation,
        data=RotationUpdate(shadow_shifts_required=data.SHADOW_SHIFTS),
        now=joined_at,
        actor=admin,
    )
    crew = [m.person_id for m in members.list_members(session, rotation=rotation)]
    graduate, shadow = by_local[data.GRADUATE], by_local[data.SHADOW]
    members.set_members(
        session, rotation=rotation, person_ids=[*crew, graduate.id], now=joined_at, actor=admin
    )
    for card_id in sorted(graduation.required_card_ids(session, rotation_id=rotation.id)):
        acks.acknowledge(session, person=graduate, card_id=card_id, version=None, now=now)
    graduation.run(session, now=now, base_url=BASE_URL, person_id=graduate.id)
    members.set_members(
        session,
        rotation=rotation,
        person_ids=[*crew, graduate.id, shadow.id],
        now=now,
        actor=admin,
    )
