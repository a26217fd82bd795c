"""The iCalendar renderer of shift feeds: plain values in, byte-stable ``.ics`` bytes out.

Everything in the output derives from the data (DTSTAMP from the shift's last change, the
calendar UID from the feed's identity), so the same shifts always give the same bytes and an
ETag over them only changes when a shift does. Rendering an event with ``icalendar`` costs a
fraction of a millisecond, which adds up for long feeds; events and time zones are therefore
memoised by value, so rebuilding a feed after one swap re-renders only the events that changed.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, is_utc, vDuration
from icalendar.enums import STATUS, TRANSP

from core.records import copied
from rotation.feed import texts, vtimezone

PRODID = "-//allhands//Support rotation feeds//EN"
END_OF_CALENDAR = b"END:VCALENDAR\r\n"
# A feed renders a few hundred events; this keeps every event of thousands of feeds warm.
EVENT_MEMO_SIZE = 50_000


class Perspective(enum.Enum):
    """Whose view a feed is: one person's shifts, or every shift of one rotation."""

    PERSON = "person"
    ROTATION = "rotation"


@dataclass(frozen=True, slots=True)
class FeedShift:
    """One shift (one slot of it) as a feed shows it; gathered by ``rotation.feed.content``.

    ``on_shift`` names everyone on the shift (every slot, in order) and is empty for cancelled
    shifts, so a cancelled event never tells who took the shift over. ``released`` marks a
    shift the feed's owner no longer has (swapped away, overridden, reassigned).
    """

    shift_id: int
    uid: str
    rotation_slug: str
    rotation_name: str
    timezone: str
    slot: int
    people_per_shift: int
    start: datetime
    end: datetime
    sequence: int
    created_at: datetime
    modified_at: datetime
    cancelled: bool = False
    released: bool = False
    assignee: str | None = None
    on_shift: tuple[str, ...] = ()
    # Who is on the shifts before and after this one (None: not known, outside the feed's
    # window; empty: uncovered), and whom an override or swap covers for.
    handover_from: tuple[str, ...] | None = None
    handover_to: tuple[str, ...] | None = None
    covering_for: str | None = None
    # A shadow shift: the names of the primaries its person sits beside.
    shadowing: str | None = None
    # What the scheduler stored on why it chose this person (``Shift.why``, as sorted items,
    # said in words by ``rotation.why_line`` in the feed's language), for scheduled shifts.
    why: tuple[tuple[str, object], ...] | None = None


@dataclass(frozen=True, slots=True)
class FeedCalendar:
    """The calendar-level facts of one feed."""

    name: str
    description: str
    identity: str
    base_url: str
    perspective: Perspective
    refresh: timedelta = timedelta(hours=1)
    # X-WR-TIMEZONE: the zone clients without VTIMEZONE support (and Google's import) use.
    timezone: str | None = None
    # The language of the events' texts (``core.i18n.LOCALES``).
    locale: str = "en"


@dataclass(frozen=True, slots=True)
class FeedEvent:
    """The text and times of one VEVENT, before rendering."""

    uid: str
    sequence: int
    start: datetime
    end: datetime
    timezone: str
    summary: str
    description: str
    url: str
    cancelled: bool
    created_at: datetime
    modified_at: datetime


def feed_event(
    shift: FeedShift, *, perspective: Perspective, base_url: str, locale: str = "en"
) -> FeedEvent:
    """The event a feed shows for ``shift``: summary, description and link in plain text,
    in the language ``locale``; the UID is the shift's whatever the language."""
    return copied(
        FeedEvent,
        shift,
        summary=texts.summary(shift, perspective=perspective, lang=locale),
        description=texts.description(
            shift, perspective=perspective, base_url=base_url, lang=locale
        ),
        # ?shift= opens the month holding the shift, where the anchor is.
        url=f"{base_url}/rotations/{shift.rotation_slug}?shift={shift.shift_id}#shift-{shift.shift_id}",
        cancelled=shift.cancelled or shift.released,
    )


def local_time(instant: datetime, zone: ZoneInfo) -> datetime:
    """``instant`` as wall-clock time in ``zone``, or in UTC when the wall clock is ambiguous.

    A wall-clock time that occurs twice (in the hour a DST fall-back repeats) names two
    instants; RFC 5545 says the first, but ical.js and icalendar take the second, so such an
    instant is written in UTC, which every client reads the same. Zones that are UTC under
    another name are written as UTC too.
    """
    if _is_utc(zone):
        return instant.astimezone(UTC)
    local = instant.astimezone(zone)
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        return instant.astimezone(UTC)
    return local


def _is_utc(zone: ZoneInfo) -> bool:
    return zone.key is not None and _is_utc_name(zone.key)


@lru_cache(maxsize=1024)
def _is_utc_name(tzid: str) -> bool:
    # icalendar's check walks its table of equivalent zones: worth remembering per name.
    return bool(is_utc(ZoneInfo(tzid)))


def _utc(instant: datetime) -> datetime:
    return instant.astimezone(UTC)


def event_component(event: FeedEvent) -> Event:
    """The icalendar VEVENT of ``event``."""
    zone = ZoneInfo(event.timezone)
    component = Event.new(
        uid=event.uid,
        sequence=event.sequence,
        start=local_time(event.start, zone),
        end=local_time(event.end, zone),
        summary=event.summary,
        description=event.description,
        url=event.url,
        status=STATUS.CANCELLED if event.cancelled else STATUS.CONFIRMED,
        transparency=TRANSP.TRANSPARENT,
        stamp=_utc(event.modified_at),
        created=_utc(event.created_at),
        last_modified=_utc(event.modified_at),
    )
    return component


def render_event(event: FeedEvent) -> bytes:
    """The VEVENT bytes of ``event``."""
    rendered: bytes = event_component(event).to_ical()
    return rendered


@dataclass(frozen=True, slots=True)
class RenderedShift:
    """A shift's VEVENT bytes and the local years its times span in its TZID (if any)."""

    body: bytes
    tzid: str | None
    first_year: int
    last_year: int


def _zone_years(event: FeedEvent) -> tuple[str | None, int, int]:
    zone = ZoneInfo(event.timezone)
    years = [
        local.year
        for local in (local_time(event.start, zone), local_time(event.end, zone))
        if local.tzinfo is not UTC
    ]
    if not years:
        return None, 0, 0
    return event.timezone, min(years), max(years)


@lru_cache(maxsize=EVENT_MEMO_SIZE)
def render_shift(
    shift: FeedShift, perspective: Perspective, base_url: str, locale: str = "en"
) -> RenderedShift:
    """The rendered event of ``shift`` (memoised: shifts are values)."""
    event = feed_event(shift, perspective=perspective, base_url=base_url, locale=locale)
    return RenderedShift(render_event(event), *_zone_years(event))


@lru_cache(maxsize=256)
def _timezone_component(tzid: str, first_year: int, last_year: int) -> Timezone:
    """The VTIMEZONE of ``tzid`` over whole calendar years (see ``rotation.feed.vtimezone``).

    Whole years keep the VTIMEZONE (and so the feed bytes) the same all year.
    """
    return vtimezone.timezone_component(tzid, first_year, last_year)


@lru_cache(maxsize=256)
def _render_timezone(tzid: str, first_year: int, last_year: int) -> bytes:
    rendered: bytes = _timezone_component(tzid, first_year, last_year).to_ical()
    return rendered


def _zone_ranges(spans: Iterable[tuple[str | None, int, int]]) -> list[tuple[str, int, int]]:
    """Each time zone used with a TZID, and the years its events span, by name."""
    years: dict[str, tuple[int, int]] = {}
    for tzid, first_year, last_year in spans:
        if tzid is None:
            continue
        low, high = years.get(tzid, (first_year, last_year))
        years[tzid] = (min(low, first_year), max(high, last_year))
    return [(tzid, low, high) for tzid, (low, high) in sorted(years.items())]


def _calendar_header(calendar: FeedCalendar) -> Calendar:
    header = Calendar()
    header.add("VERSION", "2.0")
    header.add("PRODID", PRODID)
    header.add("CALSCALE", "GREGORIAN")
    header.calendar_name = calendar.name
    header.description = calendar.description
    # A stable UID (RFC 7986): derived from the feed's identity, never random per request.
    header.add(
        "UID", str(uuid.uuid5(uuid.NAMESPACE_URL, f"{calendar.base_url}#{calendar.identity}"))
    )
    header.add("REFRESH-INTERVAL", vDuration(calendar.refresh), parameters={"VALUE": "DURATION"})
    header.add("X-PUBLISHED-TTL", vDuration(calendar.refresh))
    if calendar.timezone is not None:
        header.add("X-WR-TIMEZONE", calendar.timezone)
    return header


def _ordered(shifts: Iterable[FeedShift]) -> list[FeedShift]:
    """A stable order: by start, then slot, then UID."""
    return sorted(shifts, key=lambda s: (s.start, s.slot, s.uid))


def feed_events(calendar: FeedCalendar, shifts: Iterable[FeedShift]) -> list[FeedEvent]:
    """The feed's events in their stable order."""
    return [
        feed_event(
            shift,
            perspective=calendar.perspective,
            base_url=calendar.base_url,
            locale=calendar.locale,
        )
        for shift in _ordered(shifts)
    ]


def calendar_component(calendar: FeedCalendar, shifts: Iterable[FeedShift]) -> Calendar:
    """The whole feed as one icalendar ``Calendar`` (what ``render_feed`` serialises)."""
    events = feed_events(calendar, shifts)
    component = _calendar_header(calendar)
    for tzid, first_year, last_year in _zone_ranges(_zone_years(e) for e in events):
        component.add_component(_timezone_component(tzid, first_year, last_year))
    for event in events:
        component.add_component(event_component(event))
    return component


def render_feed(calendar: FeedCalendar, shifts: Iterable[FeedShift]) -> bytes:
    """The feed as ``.ics`` bytes, byte-for-byte ``calendar_component(...).to_ical()``.

    A VCALENDAR serialises as its own lines, then each subcomponent's lines, then its END
    line; joining memoised VTIMEZONE and VEVENT bytes in that order gives the same output
    without re-rendering the events that did not change.
    """
    rendered = [
        render_shift(shift, calendar.perspective, calendar.base_url, calendar.locale)
        for shift in _ordered(shifts)
    ]
    header: bytes = _calendar_header(calendar).to_ical()
    if not header.endswith(END_OF_CALENDAR):  # pragma: no cover - icalendar's format
        raise RuntimeError("unexpected VCALENDAR serialisation")
    zones = _zone_ranges((r.tzid, r.first_year, r.last_year) for r in rendered)
    parts = [header[: -len(END_OF_CALENDAR)]]
    parts.extend(_render_timezone(*zone_range) for zone_range in zones)
    parts.extend(r.body for r in rendered)
    parts.append(END_OF_CALENDAR)
    return b"".join(parts)
