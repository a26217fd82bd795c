"""The fairness ledger: hours on duty, how they weigh, and who covered for whom.

People do not feel shifts as counts: a weekend on call or a public holiday weighs more than a
weekday, and a cover taken for a colleague is a favour owed. The ledger counts, per person,
the hours of duty (shifts cut to the rotation's coverage windows), split into weekday, weekend
and holiday hours by the local date in the rotation's zone, and a burden score with documented
weights. A cover counts for the one who covers; the one covered for "received" it.
Pure: no database, no web.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from rotation.coverage import Span

HOUR = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Weights:
    """What one hour of duty weighs: defaults weekday 1, weekend 1.5, public holiday 2."""

    weekday: float = 1.0
    weekend: float = 1.5
    holiday: float = 2.0


DEFAULT_WEIGHTS = Weights()
WEEKEND = frozenset({5, 6})  # Saturday, Sunday


@dataclass(frozen=True, slots=True)
class DutyPiece:
    """One shift's duty held by one person.

    ``covered_for`` is the person who held the shift before a cover (an override, or a swap
    given without a shift in return); ``None`` for shifts held as scheduled or traded.
    """

    person_id: int
    shift_id: int
    spans: Sequence[Span]
    covered_for: int | None = None


@dataclass(slots=True)
class Entry:
    """One person's line of the ledger."""

    person_id: int
    shifts: int = 0
    weekday_hours: float = 0.0
    weekend_hours: float = 0.0
    holiday_hours: float = 0.0
    covers_given: int = 0
    covers_received: int = 0
    burden: float = 0.0
    shift_ids: list[int] = field(default_factory=list)

    @property
    def hours(self) -> float:
        return self.weekday_hours + self.weekend_hours + self.holiday_hours


@dataclass(frozen=True, slots=True)
class Split:
    """Hours of some duty by kind of day."""

    weekday: float = 0.0
    weekend: float = 0.0
    holiday: float = 0.0

    def plus(self, other: Split) -> Split:
        return Split(
            self.weekday + other.weekday,
            self.weekend + other.weekend,
            self.holiday + other.holiday,
        )

    def burden(self, weights: Weights) -> float:
        return (
            self.weekday * weights.weekday
            + self.weekend * weights.weekend
            + self.holiday * weights.holiday
        )


def _next_local_midnight(instant: datetime, zone: ZoneInfo) -> datetime:
    """The first instant of the local day after ``instant``'s (DST-safe: via wall clock)."""
    local = instant.astimezone(zone)
    following = local.date() + timedelta(days=1)
    midnight = datetime(following.year, following.month, following.day, tzinfo=zone)
    # A zone that skips midnight (a spring-forward at 00:00) starts the day later: the
    # round trip through UTC lands on the first wall-clock instant that exists.
    return midnight.astimezone(instant.tzinfo)


def _kind_of(day: date, holidays: frozenset[date]) -> str:
    if day in holidays:
        return "holiday"
    return "weekend" if day.weekday() in WEEKEND else "weekday"


def split_span(span: Span, *, zone: ZoneInfo, holidays: frozenset[date]) -> Split:
    """The hours of ``span`` by the kind of local day they fall on."""
    start, end = span
    totals = {"weekday": 0.0, "weekend": 0.0, "holiday": 0.0}
    cursor = start
    while cursor < end:
        boundary = min(end, _next_local_midnight(cursor, zone))
        day = cursor.astimezone(zone).date()
        kind = (
            "holiday" if day in holidays else "weekend" if day.weekday() in WEEKEND else "weekday"
        )
        totals[kind] += (boundary - cursor) / HOUR
        cursor = boundary
    return Split(**totals)


def build(
    pieces: Iterable[DutyPiece],
    *,
    zone: ZoneInfo,
    holidays: Iterable[date] = (),
    weights: Weights = DEFAULT_WEIGHTS,
) -> dict[int, Entry]:
    """The ledger of one rotation's duty, by person id."""
    days = frozenset(holidays)
    entries: dict[int, Entry] = {}

    def entry(person_id: int) -> Entry:
        return entries.setdefault(person_id, Entry(person_id=person_id))

    for piece in pieces:
        split = Split()
        for span in piece.spans:
            split = split.plus(split_span(span, zone=zone, holidays=days))
        line = entry(piece.person_id)
        if piece.shift_id not in line.shift_ids:
            line.shift_ids.append(piece.shift_id)
            line.shifts += 1
        line.weekday_hours += split.weekday
        line.weekend_hours += split.weekend
        line.holiday_hours += split.holiday
        line.burden += split.burden(weights)
        if piece.covered_for is not None and piece.covered_for != piece.person_id:
            line.covers_given += 1
            entry(piece.covered_for).covers_received += 1
    return entries


def merge(ledgers: Iterable[Mapping[int, Entry]]) -> dict[int, Entry]:
    """Several rotations' ledgers summed per person (for people in several rotations)."""
    total: dict[int, Entry] = {}
    for ledger in ledgers:
        for person_id, line in ledger.items():
            into = total.setdefault(person_id, Entry(person_id=person_id))
            into.shifts += line.shifts
            into.shift_ids.extend(line.shift_ids)
            into.weekday_hours += line.weekday_hours
            into.weekend_hours += line.weekend_hours
            into.holiday_hours += line.holiday_hours
            into.covers_given += line.covers_given
            into.covers_received += line.covers_received
            into.burden += line.burden
    return total


def weigh(
    spans: Iterable[Span], *, zone: ZoneInfo, holidays: frozenset[date], weights: Weights
) -> float:
    """The burden of some duty: its hours by kind of day, weighed."""
    split = Split()
    for span in spans:
        split = split.plus(split_span(span, zone=zone, holidays=holidays))
    return split.burden(weights)
