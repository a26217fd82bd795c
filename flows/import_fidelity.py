"""The fidelity check of an import: allhands' final shifts against the source's own, minute by
minute over the next 12 weeks, every disagreement listed with its reason."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from core.models import Person
from rotation import duty, schedule_service
from rotation import service as rotation_service
from rotation.imports.plan import SchedulePlan, SourceShift
from rotation.models import Rotation, Schedule

WINDOW = timedelta(weeks=12)

# (start, end, email or None)
Stretch = tuple[datetime, datetime, str | None]


@dataclass(frozen=True)
class Disagreement:
    line: str
    start: datetime
    end: datetime
    source: str | None
    allhands: str | None
    reason: str

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["start"], data["end"] = self.start.isoformat(), self.end.isoformat()
        return data


@dataclass(frozen=True)
class Explained:
    """A stretch the import knows it cannot reproduce, and why."""

    start: datetime
    end: datetime
    reason: str


@dataclass
class Fidelity:
    start: datetime
    end: datetime
    minutes: int = 0
    agreeing: int = 0
    disagreements: list[Disagreement] = field(default_factory=list)

    @property
    def percent(self) -> float:
        return 100.0 if not self.minutes else round(100 * self.agreeing / self.minutes, 3)

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "minutes": self.minutes,
            "agreeing_minutes": self.agreeing,
            "percent": self.percent,
            "disagreements": [d.as_dict() for d in self.disagreements],
        }


def window(now: datetime, source: Sequence[SourceShift]) -> tuple[datetime, datetime]:
    """The next 12 weeks, cut to what the source spells out."""
    start, end = now, now + WINDOW
    if source:
        start = max(start, min(s.start for s in source))
        end = min(end, max(s.end for s in source))
    return start, max(start, end)


def schedule_line(
    session: Session, *, schedule: Schedule, start: datetime, end: datetime
) -> list[Stretch]:
    """The final line of an imported schedule as stretches of one person's email."""
    views = schedule_service.final(session, schedule=schedule, start=start, end=end)
    return [
        (view.start, view.end, _email(view.shift.person if view.shift else None)) for view in views
    ]


def rotation_line(
    session: Session, *, rotation: Rotation, start: datetime, end: datetime
) -> list[Stretch]:
    """A rotation's duty (its shifts inside its coverage windows) as stretches."""
    shifts = rotation_service.list_shifts(session, rotation=rotation, start=start, end=end)
    spans = duty.duty_spans(session, rotation=rotation, shifts=shifts)
    return [
        (max(low, start), min(high, end), _email(shift.person))
        for shift in shifts
        for low, high in spans.get(shift.id, [])
        if low < end and high > start
    ]


def _email(person: Any) -> str | None:
    return None if person is None else str(person.email)


def compare(
    *,
    line: str,
    source: Sequence[Stretch],
    allhands: Sequence[Stretch],
    start: datetime,
    end: datetime,
    explained: Sequence[Explained] = (),
    fidelity: Fidelity,
) -> None:
    """Add the minutes of [start, end) to ``fidelity``, and every stretch where the sets of
    people on duty differ (one sweep over both lines' edges, so large files stay cheap)."""
    if end <= start:
        return
    theirs, ours = _Sweep(source), _Sweep(allhands)
    cuts = sorted({start, end, *theirs.edges(start, end), *ours.edges(start, end)})
    for low, high in itertools.pairwise(cuts):
        minutes = int((high - low).total_seconds() // 60)
        fidelity.minutes += minutes
        who_theirs, who_ours = theirs.at(low), ours.at(low)
        if who_theirs == who_ours:
            fidelity.agreeing += minutes
        else:
            _add(fidelity, line, low, high, who_theirs, who_ours, explained)


class _Sweep:
    """Who is on duty at instants asked in time order: stretches enter and leave a count."""

    def __init__(self, stretches: Sequence[Stretch]) -> None:
        changes = [(low, 1, email) for low, high, email in stretches if email and low < high]
        changes += [(high, -1, email) for low, high, email in stretches if email and low < high]
        self.changes = sorted(changes, key=lambda change: (change[0], change[1]))
        self.next = 0
        self.on: Counter[str] = Counter()

    def edges(self, start: datetime, end: datetime) -> list[datetime]:
        return [at for at, _step, _email in self.changes if start < at < end]

    def at(self, instant: datetime) -> str | None:
        while self.next < len(self.changes) and self.changes[self.next][0] <= instant:
            _at, step, email = self.changes[self.next]
            self.on[email] += step
            self.next += 1
        return ", ".join(sorted(email for email, count in self.on.items() if count > 0)) or None


def _add(
    fidelity: Fidelity,
    line: str,
    low: datetime,
    high: datetime,
    theirs: str | None,
    ours: str | None,
    explained: Sequence[Explained],
) -> None:
    reason = next((e.reason for e in explained if e.start <= low < e.end), None) or _reason(
        theirs, ours
    )
    last = fidelity.disagreements[-1] if fidelity.disagreements else None
    if (
        last is not None
        and last.line == line
        and last.end == low
        and (last.source, last.allhands, last.reason) == (theirs, ours, reason)
    ):
        fidelity.disagreements[-1] = Disagreement(line, last.start, high, theirs, ours, reason)
        return
    fidelity.disagreements.append(Disagreement(line, low, high, theirs, ours, reason))


def _reason(theirs: str | None, ours: str | None) -> str:
    if theirs is None:
        return "the source leaves this time uncovered; allhands keeps its rotation going"
    if ours is None:
        return "nobody is on duty here in allhands"
    return f"allhands has {ours} on duty where the source has {theirs}"


# --- an import's whole check ---------------------------------------------------------------


def answering(
    session: Session,
    *,
    schedule: Schedule | None,
    rotations: list[Rotation],
    start: datetime,
    end: datetime,
) -> list[tuple[datetime, datetime, Rotation | None]]:
    """Which rotation answers over [start, end), stretch by stretch (None: nobody does)."""
    if schedule is not None:
        by_slug = {rotation.slug: rotation for rotation in rotations}
        views = schedule_service.final(session, schedule=schedule, start=start, end=end)
        return [
            (view.start, view.end, None if view.layer is None else by_slug[view.layer])
            for view in views
        ]
    (rotation,) = rotations
    stretches: list[tuple[datetime, datetime, Rotation | None]] = []
    cursor = start
    for low, high, _email in rotation_line(session, rotation=rotation, start=start, end=end):
        if low > cursor:
            stretches.append((cursor, low, None))
        stretches.append((low, high, rotation))
        cursor = max(cursor, high)
    if cursor < end:
        stretches.append((cursor, end, None))
    return stretches


def check(
    session: Session,
    *,
    plan: SchedulePlan,
    rotations: list[Rotation],
    schedule: Schedule | None,
    by_key: Mapping[str, Person],
    now: datetime,
    explained: list[Explained],
) -> Fidelity:
    """Final line against the source's final line; without one, each rotation against its
    source turns."""
    emails = {key: person.email for key, person in by_key.items()}
    if plan.final is not None and (schedule is not None or len(rotations) == 1):
        start, end = window(now, plan.final)
        result = Fidelity(start=start, end=end)
        if schedule is not None:
            ours = schedule_line(session, schedule=schedule, start=start, end=end)
        else:
            ours = rotation_line(session, rotation=rotations[0], start=start, end=end)
        compare(
            line=plan.name,
            source=_stretches(plan.final, emails),
            allhands=ours,
            start=start,
            end=end,
            explained=explained,
            fidelity=result,
        )
        return result
    start, end = now, now + WINDOW
    result = Fidelity(start=start, end=end)
    for rotation_plan, rotation in zip(plan.rotations, rotations, strict=True):
        low, high = window(now, rotation_plan.shifts)
        compare(
            line=rotation.name,
            source=_stretches(rotation_plan.shifts, emails),
            allhands=rotation_line(session, rotation=rotation, start=low, end=high),
            start=low,
            end=high,
            explained=explained,
            fidelity=result,
        )
    return result


def _stretches(shifts: Sequence[SourceShift], emails: Mapping[str, str]) -> list[Stretch]:
    return [
        (shift.start, shift.end, None if shift.person is None else emails[shift.person])
        for shift in shifts
    ]
