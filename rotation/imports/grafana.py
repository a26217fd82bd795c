"""Grafana OnCall: the public API's schedule, its on-call shifts and its final shifts.

The file is one JSON object: ``schedule`` (``GET /api/v1/schedules/{id}``), ``on_call_shifts``
(``GET /api/v1/on_call_shifts/?schedule_id=…``, the answer or its ``results``), optional
``users`` (``GET /api/v1/users/``, for emails) and optional ``final_shifts``
(``GET /api/v1/schedules/{id}/final_shifts``, the truth the import is measured against).
A ``rolling_users`` (or one-person ``recurrent_event``) shift becomes a rotation: its turn is
``interval`` days or weeks from ``start`` in its ``time_zone``, its ``by_day`` occurrences of
``duration`` the coverage windows. Higher ``level`` answers first. ``override`` and
``single_event`` shifts become overrides.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core.wallclock import local_to_utc
from rotation.imports import common, plan
from rotation.imports.plan import ImportFileError, SchedulePlan, SourcePerson, SourceShift

KIND = "grafana"
BY_DAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
ROTATING = ("rolling_users", "recurrent_event")
ONE_OFF = ("override", "single_event")


def _results(node: Any, path: str) -> tuple[list[Any], str]:
    if isinstance(node, dict) and "results" in node:
        return common.field(node, path, "results", list), f"{path}.results"
    if not isinstance(node, list):
        raise ImportFileError(path, "expected a list (or an API page with results)")
    return node, path


class _People:
    def __init__(self) -> None:
        self.by_key: dict[str, SourcePerson] = {}

    def add(self, key: str, *, name: str | None = None, email: str | None = None) -> str:
        known = self.by_key.get(key)
        if known is None or (known.email is None and email):
            self.by_key[key] = SourcePerson(key=key, name=name or key, email=email)
        return key


def parse(text: str, *, now: datetime) -> SchedulePlan:
    """The plan of one Grafana OnCall schedule; ImportFileError names the JSON path at fault."""
    document = common.load_json(text)
    if not isinstance(document, dict):
        raise ImportFileError("$", "expected a JSON object")
    schedule = common.field(document, "$", "schedule", dict)
    schedule_id = common.field(schedule, "$.schedule", "id", str)
    timezone = common.zone(
        common.field(schedule, "$.schedule", "time_zone", str), "$.schedule.time_zone"
    )
    people = _People()
    users, path = _results(document.get("users", []), "$.users")
    for i, user in enumerate(users):
        key = common.field(user, f"{path}[{i}]", "id", str)
        people.add(key, name=user.get("name") or user.get("username"), email=user.get("email"))
    final = _final(document, people)
    until = max((shift.end for shift in final), default=None)
    shifts, path = _results(
        common.field(document, "$", "on_call_shifts", (list, dict)), "$.on_call_shifts"
    )
    layers: list[tuple[int, plan.RotationPlan]] = []
    overrides: list[SourceShift] = []
    for i, shift in enumerate(shifts):
        where = f"{path}[{i}]"
        kind = common.field(shift, where, "type", str)
        zone = common.zone(shift.get("time_zone") or timezone, f"{where}.time_zone")
        if kind in ROTATING:
            rotation = _rotation(shift, where, schedule_id, zone, people, now=now, until=until)
            layers.append((int(shift.get("level") or 0), rotation))
        elif kind in ONE_OFF:
            overrides.append(_one_off(shift, where, zone, people))
        else:
            raise ImportFileError(f"{where}.type", f"unknown shift type {kind!r}")
    if not layers:
        raise ImportFileError(path, "has no rolling_users shift to import as a rotation")
    layers.sort(key=lambda item: -item[0])  # stable: equal levels keep the file's order
    return SchedulePlan(
        kind=KIND,
        key=f"{KIND}:{schedule_id}",
        name=str(schedule.get("name") or schedule_id),
        timezone=timezone,
        fingerprint=plan.fingerprint(text),
        people=tuple(people.by_key.values()),
        rotations=tuple(rotation for _level, rotation in layers),
        overrides=tuple(overrides),
        final=tuple(final) if final else None,
    )


def _start(shift: Any, where: str, zone: str) -> datetime:
    """``start``, wall-clock in the shift's zone (an offset, if given, is honoured)."""
    text = common.field(shift, where, "start", str)
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ImportFileError(f"{where}.start", f"{text!r} is not an ISO 8601 date-time") from None
    if value.tzinfo is not None:
        return value
    return local_to_utc(value.date(), value.time(), ZoneInfo(zone))


def _roster(shift: Any, where: str, people: _People) -> list[str]:
    if shift["type"] == "recurrent_event":
        groups = [common.field(shift, where, "users", list)]
        name = "users"
    else:
        groups = common.field(shift, where, "rolling_users", list)
        name = "rolling_users"
    roster = []
    for i, group in enumerate(groups):
        if not isinstance(group, list) or len(group) != 1 or not isinstance(group[0], str):
            raise ImportFileError(
                f"{where}.{name}[{i}]",
                "each turn must name exactly one user; allhands imports one person per shift",
            )
        roster.append(people.add(group[0]))
    if not roster:
        raise ImportFileError(f"{where}.{name}", "names nobody")
    offset = int(shift.get("start_rotation_from_user_index") or 0) % len(roster)
    return roster[offset:] + roster[:offset]


def _rotation(
    shift: Any,
    where: str,
    schedule_id: str,
    zone: str,
    people: _People,
    *,
    now: datetime,
    until: datetime | None,
) -> plan.RotationPlan:
    shift_id = common.field(shift, where, "id", str)
    frequency = common.field(shift, where, "frequency", str)
    interval = int(shift.get("interval") or 1)
    if frequency not in ("daily", "weekly"):
        raise ImportFileError(
            f"{where}.frequency", f"{frequency!r} turns cannot be imported: use daily or weekly"
        )
    unit = 1 if frequency == "daily" else 7
    shift_days = common.whole_days(interval * unit * 86_400, f"{where}.interval")
    start = _start(shift, where, zone)
    duration = common.field(shift, where, "duration", int)
    roster = _roster(shift, where, people)
    handoff = common.cadence_from(start, zone, shift_days).handoff_time
    return common.round_robin(
        key=f"{KIND}:{schedule_id}:{shift_id}",
        name=str(shift.get("name") or shift_id),
        origin=start,
        timezone=zone,
        shift_days=shift_days,
        roster=roster,
        coverage=_coverage(shift, where, handoff, duration, shift_days),
        since=start,
        now=now,
        until=until,
    )


def _coverage(
    shift: Any, where: str, at: Any, duration: int, shift_days: int
) -> tuple[dict[str, Any], ...]:
    minutes = duration // 60
    begin = at.hour * 60 + at.minute
    by_day = shift.get("by_day") or []
    if not by_day:
        if minutes >= shift_days * 1440:
            return ()
        if shift_days == 1:
            return common.merged_windows(common.span_windows(None, begin, minutes), where)
        raise ImportFileError(
            f"{where}.duration",
            "a shift shorter than its turn needs by_day to say which days it covers",
        )
    pieces = []
    for i, day in enumerate(by_day):
        if day not in BY_DAY:
            raise ImportFileError(f"{where}.by_day[{i}]", f"unknown day {day!r}")
        pieces.extend(common.span_windows(BY_DAY.index(day), begin, min(minutes, 1440)))
    return common.merged_windows(pieces, f"{where}.by_day")


def _one_off(shift: Any, where: str, zone: str, people: _People) -> SourceShift:
    users = common.field(shift, where, "users", list)
    if len(users) != 1 or not isinstance(users[0], str):
        raise ImportFileError(f"{where}.users", "an override must name exactly one user")
    start = _start(shift, where, zone)
    duration = common.field(shift, where, "duration", int)
    if duration <= 0:
        raise ImportFileError(f"{where}.duration", "must be positive")
    return SourceShift(start, start + timedelta(seconds=duration), people.add(users[0]))


def _final(document: dict[str, Any], people: _People) -> list[SourceShift]:
    if "final_shifts" not in document:
        return []
    items, path = _results(document["final_shifts"], "$.final_shifts")
    result = []
    for i, item in enumerate(items):
        where = f"{path}[{i}]"
        key = common.field(item, where, "user_pk", str)
        people.add(key, name=item.get("user_username"), email=item.get("user_email"))
        start = common.instant(
            common.field(item, where, "shift_start", str), f"{where}.shift_start"
        )
        end = common.instant(common.field(item, where, "shift_end", str), f"{where}.shift_end")
        if end > start:
            result.append(SourceShift(start, end, key))
    return result
