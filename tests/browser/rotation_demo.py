"""The demo organisation's weekly tier-2 rotation, built through the domain services.

Ten engineers in several timezones, a product manager who manages the rotation, the
"Tier-2 essentials" reading with some of it done, a week off and a pending swap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from core.models import Person
from core.security import hash_password
from flows import demo_data
from kb_links.models import Card
from onboarding.models import Acknowledgement, CardSet, CardSetItem, RotationRequirement
from rotation import members, swaps, time_off
from rotation import service as rotation_service
from rotation.models import Rotation, Shift
from rotation.schemas import RotationCreate
from tests.conftest import DEFAULT_NOW, LiveServer

PASSWORD = "correct horse battery"
SLUG = "tier-2"


@dataclass(frozen=True)
class Demo:
    rotation_id: int
    manager_email: str
    admin_email: str
    engineer_emails: list[str]


def email(local: str) -> str:
    return f"{local}@{demo_data.DOMAIN}"


def add_person(
    session: Session, local: str, name: str, timezone: str, *, admin: bool = False
) -> Person:
    person = Person(
        email=email(local),
        name=name,
        timezone=timezone,
        is_admin=admin,
        password_hash=hash_password(PASSWORD),
        created_at=DEFAULT_NOW - timedelta(days=200),
    )
    session.add(person)
    session.flush()
    return person


def add_people(live_server: LiveServer) -> None:
    """Just the people: an admin, the rotation's manager and the ten engineers."""
    with live_server.sessions.begin() as session:
        local, name, timezone, _team = demo_data.ADMIN
        add_person(session, local, name, timezone, admin=True)
        for local, name, timezone, _team in [demo_data.PRODUCT[0], *demo_data.ENGINEERS]:
            add_person(session, local, name, timezone)


def _reading(session: Session, rotation: Rotation, engineers: list[Person]) -> None:
    description, titles = demo_data.CARD_SETS["Tier-2 essentials"]
    card_set = CardSet(
        name="Tier-2 essentials", description=description, archived=False,
        created_at=DEFAULT_NOW, updated_at=DEFAULT_NOW,
    )  # fmt: skip
    session.add(card_set)
    session.flush()
    cards = []
    for n, title in enumerate(titles, start=1):
        card = Card(
            title=title, url=f"https://kb.example.com/guru/{n}", source="guru",
            verify_every_days=90, last_verified_at=DEFAULT_NOW - timedelta(days=10), version=1,
            created_at=DEFAULT_NOW, updated_at=DEFAULT_NOW, changed_at=DEFAULT_NOW,
        )  # fmt: skip
        session.add(card)
        cards.append(card)
    session.flush()
    session.add_all(
        CardSetItem(card_set_id=card_set.id, card_id=card.id, position=position)
        for position, card in enumerate(cards)
    )
    session.add(
        RotationRequirement(
            rotation_id=rotation.id, card_set_id=card_set.id, assign_days_before=42,
            due_days_before=2, created_at=DEFAULT_NOW,
        )
    )  # fmt: skip
    # Every other engineer has read everything; the rest are part way.
    for index, engineer in enumerate(engineers):
        done = cards if index % 2 == 0 else cards[: index % len(cards)]
        session.add_all(
            Acknowledgement(
                person_id=engineer.id,
                card_id=card.id,
                card_version=card.version,
                acknowledged_at=DEFAULT_NOW - timedelta(days=1),
            )
            for card in done
        )
    session.flush()


def load_tier_two(live_server: LiveServer, *, with_swap: bool = True) -> Demo:
    """People, the weekly rotation with its reading, a week off and (optionally) a swap."""
    add_people(live_server)
    with live_server.sessions.begin() as session:
        by_email = {p.email: p for p in session.query(Person)}
        manager = by_email[email(demo_data.PRODUCT[0][0])]
        engineers = [by_email[email(e[0])] for e in demo_data.ENGINEERS]
        rotation = rotation_service.create_rotation(
            session,
            data=RotationCreate(
                name="Tier-2 engineering", slug=SLUG, timezone="Europe/Amsterdam",
                start_date=date(2026, 11, 2), description="One engineer a week on tier-2 tickets.",
                manager_ids=[manager.id],
            ),
            now=DEFAULT_NOW - timedelta(days=30),
            actor=None,
        )  # fmt: skip
        members.set_members(
            session, rotation=rotation, person_ids=[e.id for e in engineers],
            now=DEFAULT_NOW - timedelta(days=30), actor=None,
        )  # fmt: skip
        _reading(session, rotation, engineers)
        off = engineers[3]
        time_off.add_time_off(
            session, person=off, start=date(2026, 12, 21), end=date(2026, 12, 27),
            reason="Holiday", now=DEFAULT_NOW, actor=off,
        )  # fmt: skip
        if with_swap:
            ahead = (
                session.query(Shift)
                .filter(Shift.rotation_id == rotation.id, Shift.start > DEFAULT_NOW)
                .order_by(Shift.start)
                .all()
            )
            requester = engineers[5]
            mine = next(s for s in ahead if s.person_id == requester.id)
            swaps.request_swap(
                session, requester=requester, shift_id=mine.id, counterpart_shift_id=None,
                counterpart_person_id=engineers[6].id, now=DEFAULT_NOW,
            )  # fmt: skip
        return Demo(
            rotation_id=rotation.id,
            manager_email=manager.email,
            admin_email=email(demo_data.ADMIN[0]),
            engineer_emails=[e.email for e in engineers],
        )
