"""Load the demo organisation through the domain services, as a real admin would set it up."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import people
from core.models import Person
from core.schemas import PersonCreate
from core.settings import get_settings
from flows import demo_data as data
from flows import demo_readiness, demo_stages
from kb_links import service as card_service
from kb_links.models import Card
from kb_links.schemas import CardCreate, CardUpdate
from onboarding import acks, card_sets, requirements
from onboarding.models import CardSet
from onboarding.schemas import CardSetCreate, RequirementIn, RequirementsPut
from rotation import company_days, generation, members, schedule_service, swaps
from rotation import service as rotation_service
from rotation import time_off as rotation_time_off
from rotation.duty_schemas import CompanyDayIn, CompanyDaysPut
from rotation.models import Rotation, Shift
from rotation.schedule_schemas import ScheduleCreate
from rotation.schemas import RotationCreate

# The rotations start in the past so the calendar shows history, not only the future.
HISTORY_DAYS = 42


@dataclass
class DemoSummary:
    admin_email: str
    password: str
    people: int = 0
    cards: int = 0
    rotations: list[str] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)


class NotEmpty(Exception):
    """The database already holds people; the demo only loads into an empty one."""


def is_empty(session: Session) -> bool:
    return not session.scalar(select(func.count()).select_from(Person))


def _email(local: str) -> str:
    return f"{local}@{data.DOMAIN}"


def _monday_on_or_before(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _create_people(session: Session, *, now: datetime) -> dict[str, Person]:
    everyone = [data.ADMIN, *data.ENGINEERS, *data.PRODUCT, *data.FOUNDERS, *data.SUPPORT]
    created: dict[str, Person] = {}
    for local, name, timezone, team in everyone:
        person = people.create_person(
            session,
            data=PersonCreate(
                email=_email(local),
                name=name,
                timezone=timezone,
                team=team,
                is_admin=(local, name, timezone, team) == data.ADMIN,
                locale=data.LOCALES.get(local),
            ),
            now=now,
            actor=None,
            password=data.DEMO_PASSWORD,
        )
        created[local] = person
    return created


def _create_cards(
    session: Session, *, now: datetime, admin: Person, verifiers: list[Person]
) -> dict[str, Card]:
    cards: dict[str, Card] = {}
    for n, (title, source, collection, every, verified_ago, _majors) in enumerate(data.CARDS):
        slug = "-".join(title.lower().replace(":", "").replace("'", "").split())[:60]
        base = {
            "guru": "https://app.getguru.com/card",
            "confluence": "https://acme.atlassian.net/wiki/spaces/SUP/pages",
            "notion": "https://www.notion.so/acme",
            "link": "https://handbook.acme.example/support",
        }[source]
        card = card_service.create_card(
            session,
            data=CardCreate(
                title=title,
                url=f"{base}/{slug}",
                source=source,
                external_id=f"demo-{n + 1}" if source != "link" else None,
                collection=collection,
                verifier_id=verifiers[n % len(verifiers)].id,
                verify_every_days=every,
                last_verified_at=now - timedelta(days=verified_ago),
            ),
            now=now - timedelta(days=verified_ago),
            actor=admin,
        )
        cards[title] = card
    return cards


def _revise(session: Session, *, card: Card, times: int, now: datetime, actor: Person) -> None:
    for _ in range(times):
        card_service.update_card(
            session,
            card=card,
            data=CardUpdate(change="major", summary="Updated for the latest release"),
            now=now,
            actor=actor,
        )


def _create_card_sets(
    session: Session, *, cards: dict[str, Card], now: datetime, admin: Person
) -> dict[str, CardSet]:
    sets: dict[str, CardSet] = {}
    for name, (description, titles) in data.CARD_SETS.items():
        view = card_sets.create_card_set(
            session,
            data=CardSetCreate(
                name=name, description=description, card_ids=[cards[t].id for t in titles]
            ),
            now=now,
            actor=admin,
        )
        sets[name] = view.card_set
    return sets


def _create_rotations(
    session: Session, *, people: dict[str, Person], start: date, created_at: datetime, now: datetime
) -> dict[str, Rotation]:
    """Every demo rotation with its managers and crew, shifts generated up to the horizon."""
    admin = people[data.ADMIN[0]]
    rotations: dict[str, Rotation] = {}
    for name, plan in data.ROTATIONS.items():
        rotation = rotation_service.create_rotation(
            session,
            data=RotationCreate(
                name=name,
                description=plan.description,
                timezone=plan.timezone,
                start_date=start,
                handoff_time=time(9, 0),
                shift_days=plan.shift_days,
                manager_ids=[people[local].id for local in plan.managers],
                swap_requires_approval=plan.swap_requires_approval,
                slack_channel=plan.slack_channel,
            ),
            now=created_at,
            actor=admin,
        )
        members.set_members(
            session,
            rotation=rotation,
            person_ids=[people[local].id for local in plan.crew],
            now=created_at,
            actor=admin,
        )
        rotations[name] = rotation
    for rotation in rotations.values():
        generation.extend(session, rotation_id=rotation.id, now=now)
    return rotations


def _set_requirements(
    session: Session,
    *,
    rotations: dict[str, Rotation],
    sets: dict[str, CardSet],
    now: datetime,
    admin: Person,
) -> None:
    for name, plan in data.ROTATIONS.items():
        requirements.set_requirements(
            session,
            rotation=rotations[name],
            data=RequirementsPut(
                requirements=[
                    RequirementIn(
                        card_set_id=sets[set_name].id,
                        assign_days_before=assign,
                        due_days_before=due,
                    )
                    for set_name, assign, due in plan.requirements
                ]
            ),
            now=now,
            actor=admin,
        )


def _edit_card_history(
    session: Session, *, cards: dict[str, Card], now: datetime, admin: Person
) -> None:
    """Major changes made over time; the recently changed card keeps its last one for later."""
    for title, *_rest, majors in data.CARDS:
        earlier = majors - 1 if title == data.RECENTLY_CHANGED else majors
        _revise(session, card=cards[title], times=earlier, now=now, actor=admin)


def _upcoming(session: Session, rotation: Rotation, now: datetime) -> list[Shift]:
    return [
        s
        for s in rotation_service.list_shifts(session, rotation=rotation, start=now)
        if s.person_id is not None and s.start > now
    ]


def _read_progress(
    session: Session,
    *,
    readers: list[Person],
    cards: dict[str, Card],
    now: datetime,
    admin: Person,
) -> None:
    """The first reader has read everything, also the card that changes now; the second
    about half, and not the change."""
    to_read = [
        cards[title]
        for set_name, _assign, _due in data.ROTATIONS[data.TIER_TWO].requirements
        for title in data.CARD_SETS[set_name][1]
    ]
    portions = (to_read, to_read[: len(to_read) // 2])
    for reader, portion in zip(readers, portions, strict=False):
        for card in portion:
            acks.acknowledge(session, person=reader, card_id=card.id, version=None, now=now)
    changed = cards[data.RECENTLY_CHANGED]
    _revise(session, card=changed, times=1, now=now, actor=admin)
    if readers:
        acks.acknowledge(session, person=readers[0], card_id=changed.id, version=None, now=now)


def _add_time_off(session: Session, *, engineers: list[Person], today: date, now: datetime) -> None:
    for position, offset in data.TIME_OFF:
        person = engineers[position]
        rotation_time_off.add_time_off(
            session,
            person=person,
            start=today + timedelta(days=offset),
            end=today + timedelta(days=offset + 6),
            reason="Holiday",
            now=now,
            actor=person,
        )


def _request_trade(
    session: Session, *, tier_two: Rotation, people: dict[int, Person], now: datetime
) -> None:
    """The third upcoming engineer asks to trade shifts with the fourth (pending)."""
    upcoming = _upcoming(session, tier_two, now)
    if len(upcoming) > 3:
        swaps.request_swap(
            session,
            requester=people[upcoming[2].person_id or 0],
            shift_id=upcoming[2].id,
            counterpart_shift_id=upcoming[3].id,
            counterpart_person_id=None,
            now=now,
        )


def load_demo(session: Session, *, now: datetime, base_url: str | None = None) -> DemoSummary:
    """Fill an empty database with the demo; NotEmpty otherwise. Emails link to ``base_url``."""
    if not is_empty(session):
        raise NotEmpty("the database already has people; the demo loads only into an empty one")
    past = now - timedelta(days=HISTORY_DAYS)
    by_local = _create_people(session, now=past)
    by_id = {p.id: p for p in by_local.values()}
    admin = by_local[data.ADMIN[0]]
    verifiers = [by_local[local] for local, *_rest in [*data.SUPPORT, *data.PRODUCT[:2]]]
    cards = _create_cards(session, now=now, admin=admin, verifiers=verifiers)
    sets = _create_card_sets(session, cards=cards, now=past, admin=admin)
    local_today = now.astimezone(ZoneInfo(data.ROTATIONS[data.TIER_TWO].timezone)).date()
    start = _monday_on_or_before(local_today - timedelta(days=HISTORY_DAYS))
    rotations = _create_rotations(session, people=by_local, start=start, created_at=past, now=now)
    _set_requirements(session, rotations=rotations, sets=sets, now=past, admin=admin)
    _edit_card_history(session, cards=cards, now=past, admin=admin)
    tier_two = rotations[data.TIER_TWO]
    # The engineers on the next two tier-two shifts are reading.
    readers = [by_id[s.person_id or 0] for s in _upcoming(session, tier_two, now)[:2]]
    _read_progress(session, readers=readers, cards=cards, now=now, admin=admin)
    engineers = [by_local[local] for local, *_rest in data.ENGINEERS]
    _add_time_off(session, engineers=engineers, today=local_today, now=now)
    _request_trade(session, tier_two=tier_two, people=by_id, now=now)
    demo_stages.load_stages(
        session,
        rotation=rotations[data.STAGES_ROTATION],
        by_local=by_local,
        joined_at=past + timedelta(hours=1),
        now=now,
        admin=admin,
    )
    regions = _load_regions(
        session,
        by_local=by_local,
        admin=admin,
        managers=[by_local[data.SUPPORT[1][0]]],
        start=start,
        created_at=past,
        now=now,
    )
    # After the regions: who is free to cover depends on their shifts too.
    demo_readiness.load_stories(
        session,
        rotation=tier_two,
        unread=[p for p in reversed(engineers) if p not in readers],
        readers=readers,
        manager=by_local[data.ROTATIONS[data.TIER_TWO].managers[0]],
        cards=cards,
        now=now,
        base_url=base_url or get_settings().base_url,
    )
    session.flush()
    return DemoSummary(
        admin_email=admin.email,
        password=data.DEMO_PASSWORD,
        people=len(by_local),
        cards=len(cards),
        rotations=[*rotations, *(rotation.name for rotation in regions)],
        logins=[(by_local[local].email, what) for local, what in data.LOGINS],
    )


def _load_regions(
    session: Session,
    *,
    by_local: dict[str, Person],
    admin: Person,
    managers: list[Person],
    start: date,
    created_at: datetime,
    now: datetime,
) -> list[Rotation]:
    """The three regional rotations, the schedule over them and one company day off."""
    for local, country in data.OWN_HOLIDAYS.items():
        by_local[local].holiday_country = country
    rotations = []
    for name, slug, timezone, crew, country, policy in data.REGIONS:
        rotation = rotation_service.create_rotation(
            session,
            data=RotationCreate.model_validate(
                {
                    "name": name,
                    "slug": slug,
                    "description": f"{name} support during office hours, 09:00-17:00 {timezone}.",
                    "timezone": timezone,
                    "start_date": start,
                    "manager_ids": [m.id for m in managers],
                    "coverage": [data.OFFICE_HOURS],
                    "holidays": {"country": country, "policy": policy},
                    "treat_own_holidays_as_time_off": True,
                    "fairness": "burden" if slug in data.BY_BURDEN else "count",
                    "slack_channel": f"#support-{slug}",
                }
            ),
            now=created_at,
            actor=admin,
        )
        members.set_members(
            session,
            rotation=rotation,
            person_ids=[by_local[local].id for local in crew],
            now=created_at,
            actor=admin,
        )
        generation.extend(session, rotation_id=rotation.id, now=now)
        rotations.append(rotation)
    name, slug = data.FOLLOW_THE_SUN
    schedule_service.create_schedule(
        session,
        data=ScheduleCreate(name=name, slug=slug, layers=[r.slug for r in rotations]),
        now=created_at,
        actor=admin,
    )
    company_days.set_days(
        session,
        data=CompanyDaysPut(
            days=[CompanyDayIn(day=now.date() + timedelta(days=17), name="Company offsite")]
        ),
        now=now,
        actor=admin,
    )
    return rotations
