"""Shifts as readiness reports show them (pages, the API, CSV): plain frozen records read
with the shifts' readiness facts by the same query, no row objects."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.models import Person
from rotation.models import Rotation, Shift


@dataclass(frozen=True, slots=True)
class ReportRotation:
    id: int
    slug: str
    name: str
    timezone: str


@dataclass(frozen=True, slots=True)
class ReportPerson:
    id: int
    name: str
    email: str


@dataclass(frozen=True, slots=True)
class ReportShift:
    """A shift as readiness reports show it (pages, the API, CSV): plain values read with
    its facts, its rotation and person shared by their shifts."""

    id: int
    uid: str
    rotation: ReportRotation
    index: int
    slot: int
    start: datetime
    end: datetime
    person: ReportPerson | None
    kind: str
    role: str
    sequence: int
    cancelled_at: datetime | None

    @property
    def person_id(self) -> int | None:
        return None if self.person is None else self.person.id


# Then, for a report's rows, what ``ReportShift`` shows besides.
SHOWN_COLUMNS = (
    Shift.uid,
    Shift.index,
    Shift.slot,
    Shift.kind,
    Shift.role,
    Shift.sequence,
    Shift.cancelled_at,
    Rotation.slug,
    Rotation.name,
    Person.name,
    Person.email,
)


def records(rows: Iterable[Sequence[Any]]) -> list[ReportShift]:
    """Rows of ``onboarding.facts``' fact columns (a ``readiness.ShiftFacts`` each) then the
    ``SHOWN_COLUMNS`` as records, each rotation and person built once."""
    rotations: dict[int, ReportRotation] = {}
    people: dict[int, ReportPerson] = {}
    shifts = []
    for row in rows:
        shift_id, rotation_id, start, end, person_id, timezone = row[:6]
        uid, index, slot, kind, role, sequence, cancelled_at = row[8:15]
        rotation = rotations.get(rotation_id)
        if rotation is None:
            rotation = rotations[rotation_id] = ReportRotation(
                rotation_id, row[15], row[16], timezone
            )
        person = None
        if person_id is not None:
            person = people.get(person_id)
            if person is None:
                person = people[person_id] = ReportPerson(person_id, row[17], row[18])
        shifts.append(
            ReportShift(
                shift_id,
                uid,
                rotation,
                index,
                slot,
                start,
                end,
                person,
                kind,
                role,
                sequence,
                cancelled_at,
            )
        )
    return shifts
