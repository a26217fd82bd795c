"""The organisation the readiness and page benchmarks share: 5,000 people, 250 rotations of
20, 300 cards in ten card sets of 30, a year of weekly shifts and of acknowledgements."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time

from sqlalchemy import insert
from sqlalchemy.orm import Session

import migrations.models  # noqa: F401  (every table registered)
from core.models import Person
from kb_links.models import Card
from onboarding.models import Acknowledgement, CardSet, CardSetItem, RotationRequirement
from rotation.models import Rotation, RotationMember, Shift, rotation_manager

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
PEOPLE = 5_000
ROTATIONS = 250
CARDS = 300
SET_SIZE = 30
WEEKS_BACK = 52
WEEKS_AHEAD = 9


def _weekly_monday(now: datetime) -> datetime:
    monday = (now - timedelta(days=now.weekday())).date()
    return datetime.combine(monday, clock_time(9, 0), tzinfo=UTC)


def build(session: Session, *, rng: random.Random) -> dict[str, int]:
    """Bulk-insert the organisation; returns row counts."""
    session.execute(
        insert(Person),
        [
            {
                "id": i,
                "email": f"person{i}@example.com",
                "name": f"Person {i}",
                "timezone": "Europe/Amsterdam" if i % 3 else "America/New_York",
                "is_admin": False,
                "active": True,
                "session_epoch": 0,
                "feed_token_version": 0,
                "created_at": NOW - timedelta(days=400),
            }
            for i in range(1, PEOPLE + 1)
        ],
    )
    # Each card had a major change every few months: version 1 to 5, the last change at
    # `changed_days_ago`; people read each version some days after it appeared.
    card_history: dict[int, list[datetime]] = {}
    cards = []
    for card_id in range(1, CARDS + 1):
        versions = rng.randint(1, 5)
        last_change = NOW - timedelta(days=rng.randint(1, 90))
        card_history[card_id] = [
            last_change - timedelta(days=75 * (versions - v)) for v in range(1, versions + 1)
        ]
        cards.append(
            {
                "id": card_id,
                "title": f"Card {card_id}",
                "url": f"https://kb.example.com/cards/{card_id}",
                "source": "guru",
                "external_id": f"guru-{card_id}",
                "verify_every_days": 90,
                "last_verified_at": NOW - timedelta(days=rng.randint(0, 120)),
                "version": versions,
                "archived": False,
                "created_at": NOW - timedelta(days=400),
                "updated_at": last_change,
                "changed_at": last_change,
            }
        )
    session.execute(insert(Card), cards)
    set_count = CARDS // SET_SIZE
    session.execute(
        insert(CardSet),
        [
            {
                "id": s,
                "name": f"Set {s}",
                "description": "",
                "archived": False,
                "created_at": NOW,
                "updated_at": NOW,
            }
            for s in range(1, set_count + 1)
        ],
    )
    session.execute(
        insert(CardSetItem),
        [
            {"card_set_id": s, "card_id": (s - 1) * SET_SIZE + p + 1, "position": p}
            for s in range(1, set_count + 1)
            for p in range(SET_SIZE)
        ],
    )
    session.execute(
        insert(Rotation),
        [
            {
                "id": r,
                "slug": f"rotation-{r}",
                "name": f"Rotation {r}",
                "description": "",
                "timezone": "Europe/Amsterdam",
                "start_date": date(2025, 11, 3),
                "handoff_time": clock_time(9, 0),
                "shift_days": 7,
                "people_per_shift": 1,
                "horizon_days": 182,
                "swap_requires_approval": False,
                "archived": False,
                "version": 1,
                "created_at": NOW - timedelta(days=400),
                "updated_at": NOW,
            }
            for r in range(1, ROTATIONS + 1)
        ],
    )
    members_per_rotation = PEOPLE // ROTATIONS
    roster = {
        r: [(r - 1) * members_per_rotation + m + 1 for m in range(members_per_rotation)]
        for r in range(1, ROTATIONS + 1)
    }
    session.execute(
        insert(rotation_manager), [{"rotation_id": r, "person_id": roster[r][0]} for r in roster]
    )
    session.execute(
        insert(RotationMember),
        [
            {"rotation_id": r, "person_id": p, "position": i, "joined_at": NOW - timedelta(400)}
            for r, people in roster.items()
            for i, p in enumerate(people)
        ],
    )
    # Every rotation requires one set, every other rotation a second one too (60 cards).
    required_sets = {
        r: [(r - 1) % set_count + 1] + ([(r + 3) % set_count + 1] if r % 2 else []) for r in roster
    }
    session.execute(
        insert(RotationRequirement),
        [
            {
                "rotation_id": r,
                "card_set_id": s,
                "assign_days_before": 21,
                "due_days_before": 2,
                "created_at": NOW - timedelta(days=400),
            }
            for r, sets in required_sets.items()
            for s in sets
        ],
    )
    first_monday = _weekly_monday(NOW) - timedelta(weeks=WEEKS_BACK)
    shifts = []
    for r, people in roster.items():
        for week in range(WEEKS_BACK + WEEKS_AHEAD):
            person = people[(week + r) % len(people)]
            start = first_monday + timedelta(weeks=week)
            shifts.append(
                {
                    "rotation_id": r,
                    "index": week,
                    "slot": 0,
                    "start": start,
                    "end": start + timedelta(weeks=1),
                    # One future slot in forty is uncovered.
                    "person_id": None if week > WEEKS_BACK and (week * r) % 40 == 0 else person,
                    "kind": "scheduled",
                    "sequence": 0,
                    "uid": f"{r}-{week}@bench",
                    "created_at": NOW - timedelta(days=400),
                    "updated_at": NOW,
                }
            )
    session.execute(insert(Shift), shifts)
    # A year of reading: each member read each version of their rotation's cards some days
    # after it appeared; a quarter of them have not caught up with the latest changes.
    acks = []
    for r, people in roster.items():
        card_ids = [(s - 1) * SET_SIZE + p + 1 for s in required_sets[r] for p in range(SET_SIZE)]
        for person in people:
            behind = rng.random() < 0.25
            for card_id in card_ids:
                history = card_history[card_id]
                for version, appeared in enumerate(history, start=1):
                    if behind and version == len(history) and rng.random() < 0.3:
                        continue
                    acks.append(
                        {
                            "person_id": person,
                            "card_id": card_id,
                            "card_version": version,
                            "acknowledged_at": appeared + timedelta(hours=rng.randint(1, 400)),
                        }
                    )
    for offset in range(0, len(acks), 50_000):
        session.execute(insert(Acknowledgement), acks[offset : offset + 50_000])
    return {
        "people": PEOPLE,
        "rotations": ROTATIONS,
        "cards": CARDS,
        "card sets": set_count,
        "shifts": len(shifts),
        "acknowledgements": len(acks),
    }
