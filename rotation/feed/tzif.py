"""The transitions of an IANA time zone, read from the same TZif data ``zoneinfo`` uses.

``zoneinfo`` answers offsets but does not list transitions; VTIMEZONEs need them. Sampling
offsets misses short periods (Morocco's Ramadan weeks), so the TZif file is read directly
(RFC 8536): its explicit transitions, then the POSIX TZ footer that holds after the last of
them, which is also the yearly rule a VTIMEZONE can state as an RRULE.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path
from zoneinfo import TZPATH


@dataclass(frozen=True, slots=True)
class LocalType:
    """One local time type of a zone: offset from UTC, whether it is DST, its abbreviation."""

    offset: timedelta
    is_dst: bool
    name: str


@dataclass(frozen=True, slots=True)
class Transition:
    """The instant (UTC) a zone changes from ``before`` to ``after``."""

    at: datetime
    before: LocalType
    after: LocalType

    @property
    def onset(self) -> datetime:
        """The wall-clock time of the change in the old offset (RFC 5545's DTSTART)."""
        return (self.at + self.before.offset).replace(tzinfo=None)


@dataclass(frozen=True, slots=True)
class RuleDate:
    """A POSIX ``Mm.w.d/time`` date: weekday ``d`` of week ``w`` (5 = last) of month ``m``,
    at ``time`` of local wall clock (may be negative or past 24 hours)."""

    month: int
    week: int
    weekday: int  # 0 = Sunday, as POSIX counts
    time: timedelta

    def local(self, year: int) -> datetime:
        """The wall-clock time this rule names in ``year``."""
        if self.week == 5:
            following = date(year + (self.month == 12), self.month % 12 + 1, 1)
            last = following - timedelta(days=1)
            day = last - timedelta(days=(last.isoweekday() % 7 - self.weekday) % 7)
        else:
            first = date(year, self.month, 1)
            day = first + timedelta(days=(self.weekday - first.isoweekday() % 7) % 7)
            day += timedelta(weeks=self.week - 1)
        # A wall-clock time: which zone's is up to the caller.
        return datetime(day.year, day.month, day.day) + self.time  # noqa: DTZ001


@dataclass(frozen=True, slots=True)
class YearlyRule:
    """A zone's daylight-saving rule from its POSIX footer: DST from ``start`` to ``end``."""

    standard: LocalType
    daylight: LocalType
    start: RuleDate
    end: RuleDate

    def transitions(self, year: int) -> list[Transition]:
        """The two changes of ``year``, in time order."""
        into = Transition(
            at=(self.start.local(year) - self.standard.offset).replace(tzinfo=UTC),
            before=self.standard,
            after=self.daylight,
        )
        out = Transition(
            at=(self.end.local(year) - self.daylight.offset).replace(tzinfo=UTC),
            before=self.daylight,
            after=self.standard,
        )
        return sorted([into, out], key=lambda t: t.at)


@dataclass(frozen=True, slots=True)
class ZoneData:
    """What a TZif file says: the explicit transitions, the type before the first one, and
    the footer (a fixed type, or a yearly rule; None when the footer is one this reader does
    not model, and then only the explicit transitions are used)."""

    initial: LocalType
    transitions: tuple[Transition, ...]
    fixed: LocalType | None
    rule: YearlyRule | None


_NAME = r"(<[^>]*>|[A-Za-z]+)"
_OFFSET = r"([+-]?\d{1,3}(?::\d{1,2}){0,2})"
_DATE = r"(M\d{1,2}\.\d\.\d)(?:/" + _OFFSET + r")?"
_FOOTER = re.compile(
    _NAME + _OFFSET + "(?:" + _NAME + _OFFSET + "?" + "(?:," + _DATE + "," + _DATE + ")?)?$"
)


def _duration(text: str) -> timedelta:
    sign = -1 if text.startswith("-") else 1
    parts = [int(part) for part in text.lstrip("+-").split(":")]
    hours, minutes, seconds = (*parts, 0, 0)[:3]
    return sign * timedelta(hours=hours, minutes=minutes, seconds=seconds)


def _rule_date(text: str, time: str | None) -> RuleDate:
    month, week, weekday = (int(part) for part in text[1:].split("."))
    at = _duration(time) if time is not None else timedelta(hours=2)
    return RuleDate(month=month, week=week, weekday=weekday, time=at)


def parse_footer(footer: str) -> tuple[LocalType | None, YearlyRule | None]:
    """The fixed type or yearly rule of a POSIX TZ string; (None, None) if not modelled.

    POSIX offsets count west of Greenwich, so their sign is the opposite of a UTC offset.
    """
    match = _FOOTER.match(footer)
    if match is None:
        return None, None
    std_name, std_offset, dst_name, dst_offset, start, start_time, end, end_time = match.groups()
    standard = LocalType(-_duration(std_offset), False, std_name.strip("<>"))
    if dst_name is None:
        return standard, None
    if start is None:
        return None, None  # DST without a rule: POSIX's implementation-defined default
    daylight_offset = (
        -_duration(dst_offset) if dst_offset is not None else standard.offset + timedelta(hours=1)
    )
    daylight = LocalType(daylight_offset, True, dst_name.strip("<>"))
    rule = YearlyRule(
        standard=standard,
        daylight=daylight,
        start=_rule_date(start, start_time),
        end=_rule_date(end, end_time),
    )
    return None, rule


def _read_block(data: bytes, offset: int, time_size: int) -> tuple[ZoneData, int]:
    """One TZif header and data block from ``offset``; the result and the end offset."""
    if data[offset : offset + 4] != b"TZif":
        raise ValueError("not TZif data")
    isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt = struct.unpack(
        ">6l", data[offset + 20 : offset + 44]
    )
    cursor = offset + 44
    time_format = f">{timecnt}{'q' if time_size == 8 else 'l'}"
    times = struct.unpack(time_format, data[cursor : cursor + timecnt * time_size])
    cursor += timecnt * time_size
    indices = data[cursor : cursor + timecnt]
    cursor += timecnt
    raw_types = [struct.unpack_from(">lBB", data, cursor + 6 * i) for i in range(typecnt)]
    cursor += 6 * typecnt
    chars = data[cursor : cursor + charcnt]
    cursor += charcnt + leapcnt * (time_size + 4) + isstdcnt + isutcnt
    types = [
        LocalType(timedelta(seconds=utoff), bool(isdst), chars[abbr:].split(b"\0", 1)[0].decode())
        for utoff, isdst, abbr in raw_types
    ]
    transitions: list[Transition] = []
    previous = types[0]
    for at, index in zip(times, indices, strict=True):
        current = types[index]
        transitions.append(Transition(datetime.fromtimestamp(at, UTC), previous, current))
        previous = current
    return ZoneData(types[0], tuple(transitions), None, None), cursor


def parse_tzif(data: bytes) -> ZoneData:
    """The transitions and footer of TZif ``data`` (version 2 or later; version 1 without a
    footer is read as it is)."""
    zone, end = _read_block(data, 0, 4)
    if data[4:5] == b"\0":
        return zone
    zone, end = _read_block(data, end, 8)
    footer = data[end:].strip(b"\n").decode()
    fixed, rule = parse_footer(footer)
    return ZoneData(zone.initial, zone.transitions, fixed, rule)


def _tzif_bytes(key: str) -> bytes:
    """The TZif data ``zoneinfo.ZoneInfo(key)`` reads: the first match on its search path,
    then the ``tzdata`` package."""
    for directory in TZPATH:
        candidate = Path(directory) / key
        if candidate.is_file():
            return candidate.read_bytes()
    package, _, name = f"tzdata.zoneinfo/{key}".rpartition("/")
    return resources.files(package.replace("/", ".")).joinpath(name).read_bytes()


@lru_cache(maxsize=1024)
def zone_data(key: str) -> ZoneData:
    """The parsed TZif data of zone ``key``."""
    return parse_tzif(_tzif_bytes(key))


def transitions_between(zone: ZoneData, start: datetime, end: datetime) -> list[Transition]:
    """Every change of offset in ``[start, end)``, explicit ones then those of the footer."""
    found = [t for t in zone.transitions if start <= t.at < end]
    last = zone.transitions[-1].at if zone.transitions else None
    if zone.rule is not None:
        first_year = (last or start).year
        for year in range(max(first_year, start.year - 1), end.year + 1):
            for change in zone.rule.transitions(year):
                if (last is None or change.at > last) and start <= change.at < end:
                    found.append(change)
    return [t for t in found if t.before.offset != t.after.offset]


def type_at(zone: ZoneData, instant: datetime) -> LocalType:
    """The local time type in effect at ``instant``."""
    current = zone.initial
    for change in zone.transitions:
        if change.at > instant:
            return current
        current = change.after
    if zone.rule is not None:
        last = zone.transitions[-1].at if zone.transitions else None
        years = (instant.year - 1, instant.year)
        passed = [
            change
            for year in years
            for change in zone.rule.transitions(year)
            if change.at <= instant and (last is None or change.at > last)
        ]
        if passed:
            return passed[-1].after
    return current
