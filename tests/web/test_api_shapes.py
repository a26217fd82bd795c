"""The JSON the API writes for shifts, cards, rotations and members, to the byte.

Shifts have one shape wherever they appear: on their own, in a rotation's list, in a
checklist and in a readiness row. Cards, rotations and members keep their fields in the
order the API has always written them.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from core.clock import FixedClock
from core.models import Person
from kb_links.models import Card
from rotation.models import Rotation, Shift
from tests.factories import (
    headers_for,
    make_card,
    make_card_set,
    make_person,
    make_requirement,
    make_rotation,
    make_shift,
)

# The fields a shift had in checklists and readiness rows before it had one shape.
SHIFT_REF_FIELDS = (
    "id",
    "uid",
    "rotation",
    "rotation_name",
    "slot",
    "start",
    "end",
    "person",
    "kind",
    "sequence",
)


def _instant(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _bytes(expected: Any) -> bytes:
    return json.dumps(expected, ensure_ascii=False, separators=(",", ":")).encode()


def _person(person: Person) -> dict[str, Any]:
    return {"id": person.id, "name": person.name, "email": person.email}


def _shift(shift: Shift, *, rotation: Rotation, person: Person | None) -> dict[str, Any]:
    return {
        "id": shift.id,
        "uid": shift.uid,
        "rotation": rotation.slug,
        "rotation_name": rotation.name,
        "index": shift.index,
        "slot": shift.slot,
        "start": _instant(shift.start),
        "end": _instant(shift.end),
        "person": _person(person) if person is not None else None,
        "kind": shift.kind,
        "sequence": shift.sequence,
        "cancelled": shift.cancelled_at is not None,
        "role": shift.role,
    }


class World:
    """Ana on a tier-2 shift in five days that requires two cards, one of them stale."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.manager = make_person(session, name="Mia Manager", email="mia@example.com")
        self.ana = make_person(session, name="Ana Ödegaard", email="ana@example.com")
        self.rotation = make_rotation(
            session,
            slug="tier2",
            name="Tier 2 — EMEA",
            managers=[self.manager],
            members=[self.ana],
        )
        self.trusted = make_card(session, title="Refunds", verifier=self.manager, version=3)
        self.stale = make_card(
            session,
            title="Escalations",
            last_verified_at=now - timedelta(days=40),
            verify_every_days=30,
        )
        make_requirement(
            session,
            rotation=self.rotation,
            card_set=make_card_set(session, cards=[self.trusted, self.stale]),
        )
        self.shift = make_shift(
            session, rotation=self.rotation, start=now + timedelta(days=5), person=self.ana
        )
        self.open_shift = make_shift(
            session, rotation=self.rotation, start=now + timedelta(days=12), person=None, slot=1
        )


def test_a_shift_is_written_with_every_field_in_order(
    session: Session, client: TestClient, clock: FixedClock
) -> None:
    world = World(session, clock.now())
    headers = headers_for(session, world.ana)

    one = client.get(f"/api/v1/shifts/{world.shift.id}", headers=headers)
    listed = client.get(
        "/api/v1/rotations/tier2/shifts",
        params={"start": _instant(world.shift.start), "end": _instant(world.open_shift.end)},
        headers=headers,
    )

    assert one.status_code == 200
    assert one.content == _bytes(_shift(world.shift, rotation=world.rotation, person=world.ana))
    assert listed.content == _bytes(
        [
            _shift(world.shift, rotation=world.rotation, person=world.ana),
            _shift(world.open_shift, rotation=world.rotation, person=None),
        ]
    )


def test_checklists_and_readiness_show_the_same_shift_with_every_field_they_had(
    session: Session, client: TestClient, clock: FixedClock
) -> None:
    world = World(session, clock.now())
    shift_json = client.get(
        f"/api/v1/shifts/{world.shift.id}", headers=headers_for(session, world.ana)
    ).json()

    checklist = client.get("/api/v1/me/checklist", headers=headers_for(session, world.ana))
    rows = client.get(
        "/api/v1/readiness",
        params={"rotation": "tier2"},
        headers=headers_for(session, world.manager),
    )

    [entry] = checklist.json()["shifts"]
    row = next(r for r in rows.json() if r["shift"]["id"] == world.shift.id)
    expected = _shift(world.shift, rotation=world.rotation, person=world.ana)
    for shown in (entry["shift"], row["shift"]):
        assert {name: shown[name] for name in SHIFT_REF_FIELDS} == {
            name: expected[name] for name in SHIFT_REF_FIELDS
        }
        assert shown == shift_json
    assert row["person"] == _person(world.ana)
    uncovered = next(r for r in rows.json() if r["shift"]["id"] == world.open_shift.id)
    assert (uncovered["shift"]["person"], uncovered["person"], uncovered["status"]) == (
        None,
        None,
        "uncovered",
    )


def _card_ref(card: Card) -> dict[str, Any]:
    return {
        "id": card.id,
        "title": card.title,
        "url": card.url,
        "source": card.source,
        "version": card.version,
        "archived": card.archived,
    }


def test_checklist_cards_are_written_in_their_short_form(
    session: Session, client: TestClient, clock: FixedClock
) -> None:
    world = World(session, clock.now())

    checklist = client.get("/api/v1/me/checklist", headers=headers_for(session, world.ana))

    [entry] = checklist.json()["shifts"]
    assert [item["card"] for item in entry["cards"]] == [
        _card_ref(world.trusted),
        _card_ref(world.stale),
    ]
    assert list(entry["cards"][0]["card"]) == list(_card_ref(world.trusted))


def _card(card: Card, *, verification: str) -> dict[str, Any]:
    assert card.last_verified_at is not None
    return {
        "id": card.id,
        "title": card.title,
        "url": card.url,
        "source": card.source,
        "external_id": card.external_id,
        "collection": card.collection,
        "verifier_id": card.verifier_id,
        "version": card.version,
        "verify_every_days": card.verify_every_days,
        "last_verified_at": _instant(card.last_verified_at),
        "verification": verification,
        "verification_due_at": _instant(
            card.last_verified_at + timedelta(days=card.verify_every_days)
        ),
        "archived": card.archived,
        "source_version": card.source_version,
        "changed_at": _instant(card.changed_at),
        "created_at": _instant(card.created_at),
        "updated_at": _instant(card.updated_at),
    }


def test_a_card_is_written_with_its_verification_as_of_now(
    session: Session, client: TestClient, clock: FixedClock
) -> None:
    world = World(session, clock.now())
    headers = headers_for(session, world.ana)

    trusted = client.get(f"/api/v1/cards/{world.trusted.id}", headers=headers)
    stale = client.get(f"/api/v1/cards/{world.stale.id}", headers=headers)
    clock.advance(timedelta(days=90))
    expired = client.get(f"/api/v1/cards/{world.trusted.id}", headers=headers)

    assert trusted.content == _bytes(_card(world.trusted, verification="trusted"))
    assert stale.content == _bytes(_card(world.stale, verification="stale"))
    assert expired.content == _bytes(_card(world.trusted, verification="stale"))


def test_a_rotation_and_its_members_are_written_with_every_field_in_order(
    session: Session, client: TestClient, clock: FixedClock
) -> None:
    world = World(session, clock.now())
    headers = headers_for(session, world.ana)

    rotation = client.get("/api/v1/rotations/tier2", headers=headers)
    members = client.get("/api/v1/rotations/tier2/members", headers=headers)

    expected_rotation = {
        "id": world.rotation.id,
        "slug": "tier2",
        "name": "Tier 2 — EMEA",
        "description": "",
        "timezone": world.rotation.timezone,
        "start_date": world.rotation.start_date.isoformat(),
        "handoff_time": "09:00",
        "shift_days": 7,
        "people_per_shift": 1,
        "horizon_days": 182,
        "manager_ids": [world.manager.id],
        "swap_requires_approval": False,
        "archived": False,
        "version": world.rotation.version,
        "coverage": [],
        "holidays": None,
        "treat_own_holidays_as_time_off": False,
        "fairness": "count",
        "burden_weights": {"weekday": 1.0, "weekend": 1.5, "holiday": 2.0},
        "slack_channel": "",
        "slack_usergroup": "",
        "slack_dm_days_ahead": 3,
        "scim_group": "",
        "shadow_shifts_required": 0,
        "at_risk_days": 0,
    }
    assert rotation.content == _bytes(expected_rotation)
    assert members.content == _bytes(
        [
            {
                "person": _person(world.ana),
                "position": 0,
                "joined_at": _instant(clock.now()),
                "stage": "primary",
                "graduation_held": False,
            }
        ]
    )
