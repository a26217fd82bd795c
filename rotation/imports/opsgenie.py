"""Opsgenie: the REST API v2 schedule with its rotations, overrides and final timeline.

The file is one JSON object: ``schedule`` (``GET /v2/schedules/{id}``, its ``data`` or the
whole answer), optional ``overrides`` (``GET /v2/schedules/{id}/overrides``) and optional
``timeline`` (``GET /v2/schedules/{id}/timeline``; its ``finalTimeline`` is the truth the
import is measured against). A bare ``GET /v2/schedules/{id}`` answer is read too.
Participants are users by ``username`` (their email). Opsgenie puts every rotation's person
on call at once; allhands layers rotations, the first listed answering first, so the two
agree wherever the rotations' restrictions do not overlap (the fidelity check says where
they do).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rotation.imports import common, plan
from rotation.imports.plan import ImportFileError, SchedulePlan, SourcePerson, SourceShift

KIND = "opsgenie"
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _data(node: Any, path: str) -> tuple[Any, str]:
    """An API answer's ``data`` if wrapped in one."""
    if isinstance(node, dict) and "data" in node and "id" not in node:
        inner = node.get("data")
        if isinstance(inner, dict | list):
            return inner, f"{path}.data"
    return node, path


def parse(text: str, *, now: datetime) -> SchedulePlan:
    """The plan of one Opsgenie schedule; ImportFileError names the JSON path at fault."""
    document = common.load_json(text)
    if not isinstance(document, dict):
        raise ImportFileError("$", "expected a JSON object")
    if "schedule" in document:
        root, path = _data(document["schedule"], "$.schedule")
    else:
        root, path = _data(document, "$")
    schedule_id = common.field(root, path, "id", str)
    timezone = common.zone(common.field(root, path, "timezone", str), f"{path}.timezone")
    people: dict[str, SourcePerson] = {}
    final = _timeline(document, people)
    until = max((shift.end for shift in final), default=None)
    rotations = [
        _rotation(
            item, f"{path}.rotations[{i}]", schedule_id, timezone, people, now=now, until=until
        )
        for i, item in enumerate(common.field(root, path, "rotations", list))
    ]
    live = tuple(r for r in rotations if r.shifts)
    if not live:
        raise ImportFileError(f"{path}.rotations", "has no rotation that is still running")
    return SchedulePlan(
        kind=KIND,
        key=f"{KIND}:{schedule_id}",
        name=str(root.get("name") or schedule_id),
        timezone=timezone,
        fingerprint=plan.fingerprint(text),
        people=tuple(people.values()),
        rotations=live,
        overrides=_overrides(document, people),
        final=tuple(final) if final else None,
        notes=tuple(
            f"rotation {r.name!r} has ended; not imported" for r in rotations if not r.shifts
        ),
    )


def _user(node: Any, path: str, people: dict[str, SourcePerson], *, name_field: str) -> str:
    kind = common.field(node, path, "type", str)
    if kind != "user":
        raise ImportFileError(
            f"{path}.type", f"a {kind!r} participant cannot be imported: list the people instead"
        )
    username = common.field(node, path, name_field, str).strip().lower()
    people.setdefault(
        username,
        SourcePerson(
            key=username,
            name=username.split("@")[0].replace(".", " ").title(),
            email=username if "@" in username else None,
        ),
    )
    return str(username)


def _turn_days(kind: str, length: int, path: str) -> int:
    if kind == "daily":
        return common.whole_days(length * 86_400, f"{path}.length")
    if kind == "weekly":
        return common.whole_days(length * 7 * 86_400, f"{path}.length")
    if kind == "hourly":
        return common.whole_days(length * 3_600, f"{path}.length")
    raise ImportFileError(f"{path}.type", f"unknown rotation type {kind!r}")


def _rotation(
    node: Any,
    path: str,
    schedule_id: str,
    timezone: str,
    people: dict[str, SourcePerson],
    *,
    now: datetime,
    until: datetime | None,
) -> plan.RotationPlan:
    rotation_id = common.field(node, path, "id", str)
    name = str(node.get("name") or rotation_id)
    shift_days = _turn_days(
        common.field(node, path, "type", str), common.field(node, path, "length", int), path
    )
    start = common.instant(common.field(node, path, "startDate", str), f"{path}.startDate")
    participants = common.field(node, path, "participants", list)
    if not participants:
        raise ImportFileError(f"{path}.participants", "has nobody")
    roster = [
        _user(p, f"{path}.participants[{i}]", people, name_field="username")
        for i, p in enumerate(participants)
    ]
    return common.round_robin(
        key=f"{KIND}:{schedule_id}:{rotation_id}",
        name=name,
        origin=start,
        timezone=timezone,
        shift_days=shift_days,
        roster=roster,
        coverage=_coverage(node.get("timeRestriction"), f"{path}.timeRestriction"),
        since=start,
        now=now,
        until=until,
        ended=bool(node.get("endDate"))
        and common.instant(node["endDate"], f"{path}.endDate") <= now,
    )


def _clock(node: Any, path: str, prefix: str) -> int:
    hour = common.field(node, path, f"{prefix}Hour", int)
    minute = node.get(f"{prefix}Min", 0)
    if not (0 <= hour <= 23 and isinstance(minute, int) and 0 <= minute <= 59):
        raise ImportFileError(f"{path}.{prefix}Hour", "is not a time of day")
    return int(hour) * 60 + int(minute)


def _day(node: Any, path: str, name: str) -> int:
    value = common.field(node, path, name, str).lower()
    if value not in DAYS:
        raise ImportFileError(f"{path}.{name}", f"unknown day {value!r}")
    return DAYS.index(value)


def _coverage(node: Any, path: str) -> tuple[dict[str, Any], ...]:
    if node is None:
        return ()
    kind = common.field(node, path, "type", str)
    pieces = []
    if kind == "time-of-day":
        where = f"{path}.restriction"
        item = common.field(node, path, "restriction", dict)
        start, end = _clock(item, where, "start"), _clock(item, where, "end")
        pieces = common.span_windows(None, start, (end - start) % 1440 or 1440)
        if not pieces:
            return ()
    elif kind == "weekday-and-time-of-day":
        for i, item in enumerate(common.field(node, path, "restrictions", list)):
            where = f"{path}.restrictions[{i}]"
            first = _day(item, where, "startDay") * 1440 + _clock(item, where, "start")
            last = _day(item, where, "endDay") * 1440 + _clock(item, where, "end")
            pieces.extend(
                common.span_windows(first // 1440, first % 1440, (last - first) % 10_080 or 10_080)
            )
    else:
        raise ImportFileError(f"{path}.type", f"unknown restriction type {kind!r}")
    return common.merged_windows(pieces, path)


def _overrides(
    document: dict[str, Any], people: dict[str, SourcePerson]
) -> tuple[SourceShift, ...]:
    if "overrides" not in document:
        return ()
    items, path = _data(document["overrides"], "$.overrides")
    if not isinstance(items, list):
        raise ImportFileError(path, "expected a list of overrides")
    result = []
    for i, item in enumerate(items):
        where = f"{path}[{i}]"
        person = _user(
            common.field(item, where, "user", dict), f"{where}.user", people, name_field="username"
        )
        start = common.instant(common.field(item, where, "startDate", str), f"{where}.startDate")
        end = common.instant(common.field(item, where, "endDate", str), f"{where}.endDate")
        if end <= start:
            raise ImportFileError(f"{where}.endDate", "is not after startDate")
        result.append(SourceShift(start, end, person))
    return tuple(result)


def _timeline(document: dict[str, Any], people: dict[str, SourcePerson]) -> list[SourceShift]:
    """Every period of the final timeline, all rotations together (several may overlap)."""
    if "timeline" not in document:
        return []
    root, path = _data(document["timeline"], "$.timeline")
    final = common.field(root, path, "finalTimeline", dict)
    path = f"{path}.finalTimeline"
    result = []
    for r, rotation in enumerate(common.field(final, path, "rotations", list)):
        where = f"{path}.rotations[{r}]"
        for p, period in enumerate(rotation.get("periods") or []):
            at = f"{where}.periods[{p}]"
            person = _user(
                common.field(period, at, "recipient", dict),
                f"{at}.recipient",
                people,
                name_field="name",
            )
            start = common.instant(common.field(period, at, "startDate", str), f"{at}.startDate")
            end = common.instant(common.field(period, at, "endDate", str), f"{at}.endDate")
            if end > start:
                result.append(SourceShift(start, end, person))
    return result
