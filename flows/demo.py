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
from flows import demo_data as data
from kb_links import service as card_service
from kb_links.models import Card
from kb_links.schemas import CardCreate, CardUpdate
from onboarding import acks, card_sets, requirements
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


def _rotation(
    session: Session,
    *,
    name: str,
    description: str,
    timezone: str,
    shift_days: int,
    managers: list[Person],
    crew: list[Person],
    start: date,
    created_at: datetime,
    admin: Person,
    approval: bool = False,
) -> Rotation:
    rotation = rotation_service.create_rotation(
        session,
        data=RotationCreate(
            name=name,
            description=description,
            timezone=timezone,
            start_date=start,
            handoff_time=time(9, 0),
            shift_days=shift_days,
            manager_ids=[m.id for m in managers],
            swap_requires_approval=approval,
        ),
        now=created_at,
        actor=admin,
    )
    members.set_members(
        session, rotation=rotation, person_ids=[p.id for p in crew], now=created_at, actor=admin
    )
    return rotation


def _upcoming(session: Session, rotation: Rotation, now: datetime) -> list[Shift]:
    return [
        s
        for s in rotation_service.list_shifts(session, rotation=rotation, start=now)
        if s.person_id is not None and s.start > now
    ]


def load_demo(session: Session, *, now: datetime) -> DemoSummary:
    """Fill an empty database with the demo organisation; raises NotEmpty otherwise."""
    if not is_empty(session):
        raise NotEmpty("the database already has people; the demo loads only into an empty one")
    past = now - timedelta(days=HISTORY_DAYS)
    by_local = _create_people(session, now=past)
    admin = by_local[data.ADMIN[0]]
    engineers = [by_local[e[0]] for e in data.ENGINEERS]
    product = [by_local[p[0]] for p in data.PRODUCT]
    founders = [by_local[f[0]] for f in data.FOUNDERS]
    support_leads = [by_local[s[0]] for s in data.SUPPORT]

    cards = _create_cards(session, now=now, admin=admin, verifiers=[*support_leads, *product[:2]])
    sets = {}
    for name, (description, titles) in data.CARD_SETS.items():
        view = card_sets.create_card_set(
            session,
            data=CardSetCreate(
                name=name, description=description, card_ids=[cards[t].id for t in titles]
            ),
            now=past,
            actor=admin,
        )
        sets[name] = view.card_set

    local_today = now.astimezone(ZoneInfo("Europe/Amsterdam")).date()
    start = _monday_on_or_before(local_today - timedelta(days=HISTORY_DAYS))
    tier2 = _rotation(
        session,
        name="Tier-2 engineering",
        description="One engineer a week on tier-2 tickets: everyone's turn every tenth week.",
        timezone="Europe/Amsterdam",
        shift_days=7,
        managers=[support_leads[0]],
        crew=engineers,
        start=start,
        created_at=past,
        admin=admin,
    )
    product_rotation = _rotation(
        session,
        name="Product support fortnight",
        description="A product manager or designer answers feature questions for two weeks.",
        timezone="America/New_York",
        shift_days=14,
        managers=[support_leads[1], product[0]],
        crew=product,
        start=start,
        created_at=past,
        admin=admin,
        approval=True,
    )
    founders_rotation = _rotation(
        session,
        name="Founders' customer days",
        description=(
            "A founder or executive owns a four-week stretch with one customer day a week "
            "in the queue."
        ),
        timezone="Europe/London",
        shift_days=28,
        managers=[founders[0]],
        crew=founders,
        start=start,
        created_at=past,
        admin=admin,
    )
    for rotation in (tier2, product_rotation, founders_rotation):
        generation.extend(session, rotation_id=rotation.id, now=now)

    requirement_plan = {
        tier2: [("Tier-2 essentials", 21, 2), ("Current feature breakdowns", 14, 2)],
        product_rotation: [("Product support week", 21, 3)],
        founders_rotation: [("Customer day briefing", 28, 3)],
    }
    for rotation, plan in requirement_plan.items():
        requirements.set_requirements(
            session,
            rotation=rotation,
            data=RequirementsPut(
                requirements=[
                    RequirementIn(
                        card_set_id=sets[name].id, assign_days_before=assign, due_days_before=due
                    )
                    for name, assign, due in plan
                ]
            ),
            now=past,
            actor=admin,
        )

    # Cards were edited over time; "Known issues" changes once more after people read it.
    recently_changed = cards["Known issues this quarter"]
    for title, *_rest, majors in data.CARDS:
        earlier = majors - 1 if cards[title] is recently_changed else majors
        _revise(session, card=cards[title], times=earlier, now=past, actor=admin)

    # Reading in progress: the next engineer has read everything, the one after about half.
    tier2_next = _upcoming(session, tier2, now)
    persons = {p.id: p for p in by_local.values()}
    tier2_cards = [cards[t] for t in data.CARD_SETS["Tier-2 essentials"][1]] + [
        cards[t] for t in data.CARD_SETS["Current feature breakdowns"][1]
    ]
    readers = []
    if tier2_next:
        readers.append((persons[tier2_next[0].person_id or 0], tier2_cards))
    if len(tier2_next) > 1:
        readers.append(
            (persons[tier2_next[1].person_id or 0], tier2_cards[: len(tier2_cards) // 2])
        )
    for reader, to_read in readers:
        for card in to_read:
            acks.acknowledge(session, person=reader, card_id=card.id, version=None, now=now)
    _revise(session, card=recently_changed, times=1, now=now, actor=admin)
    if readers:
        # The next engineer has already re-read the new version; the other one has not.
        acks.acknowledge(
            session, person=readers[0][0], card_id=recently_changed.id, version=None, now=now
        )

    # Time off ahead for two engineers, and a pending trade request.
    for person, offset in ((engineers[2], 20), (engineers[6], 45)):
        rotation_time_off.add_time_off(
            session,
            person=person,
            start=local_today + timedelta(days=offset),
            end=local_today + timedelta(days=offset + 6),
            reason="Holiday",
            now=now,
            actor=person,
        )
    tier2_next = _upcoming(session, tier2, now)
    if len(tier2_next) > 3:
        requester = persons[tier2_next[2].person_id or 0]
        swaps.request_swap(
            session,
            requester=requester,
            shift_id=tier2_next[2].id,
            counterpart_shift_id=tier2_next[3].id,
            counterpart_person_id=None,
            now=now,
        )
    regions = _load_regions(
        session, by_local=by_local, admin=admin, managers=[support_leads[1]], start=start,
        created_at=past, now=now,
    )  # fmt: skip
    session.flush()
    summary = DemoSummary(admin_email=admin.email, password=data.DEMO_PASSWORD)
    summary.people = len(by_local)
    summary.cards = len(cards)
    summary.rotations = [tier2.name, product_rotation.name, founders_rotation.name]
    summary.rotations += [rotation.name for rotation in regions]
    summary.logins = [
        (admin.email, "admin: everything"),
        (support_leads[0].email, "manager of Tier-2 engineering"),
        (engineers[0].email, "engineer on the tier-2 rotation"),
        (product[0].email, "product manager, manages the product rotation"),
    ]
    return summary


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
