"""The plain shape every source is parsed into: rotations, a layer order, overrides, truth.

A plan holds no database rows: people are keyed by the source's own id and carry an email
when the source knows it. ``shifts`` of a rotation are the rotation's own turns as the source
computes them (past ones become history, future ones are what allhands must reproduce);
``final`` is the source's own final line, against which the import's fidelity is measured.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any


class ImportFileError(ValueError):
    """A source file that cannot be read; the message names the line or JSON path."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


@dataclass(frozen=True, slots=True)
class SourcePerson:
    key: str
    name: str
    email: str | None = None


@dataclass(frozen=True, slots=True)
class SourceShift:
    """[start, end) held by ``person`` (a person key); None = nobody (a gap)."""

    start: datetime
    end: datetime
    person: str | None


@dataclass(frozen=True, slots=True)
class RotationPlan:
    key: str
    name: str
    timezone: str
    start_date: date
    handoff_time: time
    shift_days: int
    roster: tuple[str, ...]
    coverage: tuple[dict[str, Any], ...] = ()
    shifts: tuple[SourceShift, ...] = ()


@dataclass(frozen=True, slots=True)
class SchedulePlan:
    """A whole source: its rotations in priority order (first answers first)."""

    kind: str
    key: str
    name: str
    timezone: str
    fingerprint: str
    people: tuple[SourcePerson, ...]
    rotations: tuple[RotationPlan, ...]
    overrides: tuple[SourceShift, ...] = ()
    final: tuple[SourceShift, ...] | None = None
    notes: tuple[str, ...] = field(default=())

    def person(self, key: str) -> SourcePerson:
        for person in self.people:
            if person.key == key:
                return person
        raise KeyError(key)


def fingerprint(text: str | bytes) -> str:
    """A digest of the source as given, so a re-import can tell "same" from "changed"."""
    data = text.encode() if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()
