"""PagerDuty: the ``GET /schedules/{id}`` JSON (layers, overrides, final schedule).

Layers later in ``schedule_layers`` take precedence, as the lower layers do on PagerDuty's
schedule page; the plan lists rotations highest priority first. Users are matched by the
``email`` a user object carries (``GET /users`` objects, in the schedule's or a top-level
``users`` list), or by the people mapping. Overrides come from a top-level ``overrides``
list (``GET /schedules/{id}/overrides``) or the ``overrides_subschedule`` entries.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rotation.imports import common, plan
from rotation.imports.plan import ImportFileError, SchedulePlan, SourcePerson, SourceShift

KIND = "pagerduty"


def parse(text: str, *, now: datetime) -> SchedulePlan:
    """The plan of one PagerDuty schedule; ImportFileError names the JSON path at fault."""
    document = common.load_json(text)
    root, path = document, "$"
    if isinstance(document, dict) and isinstance(document.get("schedule"), dict):
        root, path = document["schedule"], "$.schedule"
    schedule_id = common.field(root, path, "id", str)
    timezone = common.zone(common.field(root, path, "time_zone", str), f"{path}.time_zone")
    people = _People()
    for position, user in enumerate(_list(document, "$", "users")):
        people.see(user, f"$.users[{position}]")
    for position, user in enumerate(_list(root, path, "users")):
        people.see(user, f"{path}.users[{position}]")
    final_entries = _entries(root, path, "final_schedule", people)
    until = max((entry.end for entry in final_entries), default=None)
    raw_layers = common.field(root, path, "schedule_layers", list)
    if not raw_layers:
        raise ImportFileError(f"{path}.schedule_layers", "has no layers")
    rotations = [
        _layer(
            layer,
            f"{path}.schedule_layers[{position}]",
            schedule_id,
            timezone,
            people,
            now=now,
            until=until,
        )
        for position, layer in enumerate(raw_layers)
    ]
    notes = [f"layer {r.name!r} has ended; not imported" for r in rotations if not r.shifts]
    return SchedulePlan(
        kind=KIND,
        key=f"{KIND}:{schedule_id}",
        name=str(root.get("name") or schedule_id),
        timezone=timezone,
        fingerprint=plan.fingerprint(text),
        people=people.all(),
        rotations=tuple(reversed([r for r in rotations if r.shifts])),
        overrides=_overrides(document, root, path, people),
        final=tuple(final_entries) if final_entries else None,
        notes=tuple(notes),
    )


def _list(node: Any, path: str, name: str) -> list[Any]:
    if not isinstance(node, dict) or node.get(name) is None:
        return []
    return list(common.field(node, path, name, list))


class _People:
    """Every user the file names, by PagerDuty id, with the best email found for each."""

    def __init__(self) -> None:
        self.by_key: dict[str, SourcePerson] = {}

    def see(self, user: Any, path: str) -> str:
        if isinstance(user, dict) and isinstance(user.get("user"), dict):
            user, path = user["user"], f"{path}.user"
        key: str = common.field(user, path, "id", str)
        name = str(user.get("name") or user.get("summary") or key)
        email = user.get("email") if isinstance(user.get("email"), str) else None
        known = self.by_key.get(key)
        if known is None or (known.email is None and email):
            self.by_key[key] = SourcePerson(key=key, name=name, email=email)
        return key

    def all(self) -> tuple[SourcePerson, ...]:
        return tuple(self.by_key.values())


def _layer(
    layer: Any,
    path: str,
    schedule_id: str,
    timezone: str,
    people: _People,
    *,
    now: datetime,
    until: datetime | None,
) -> plan.RotationPlan:
    layer_id = common.field(layer, path, "id", str)
    name = str(layer.get("name") or layer_id)
    seconds = common.field(layer, path, "rotation_turn_length_seconds", int)
    shift_days = common.whole_days(seconds, f"{path}.rotation_turn_length_seconds")
    virtual = common.instant(
        common.field(layer, path, "rotation_virtual_start", str), f"{path}.rotation_virtual_start"
    )
    since = common.instant(common.field(layer, path, "start", str), f"{path}.start")
    users = common.field(layer, path, "users", list)
    if not users:
        raise ImportFileError(f"{path}.users", "has no users")
    roster = [people.see(user, f"{path}.users[{i}]") for i, user in enumerate(users)]
    return common.round_robin(
        key=f"{KIND}:{schedule_id}:{layer_id}",
        name=name,
        origin=virtual,
        timezone=timezone,
        shift_days=shift_days,
        roster=roster,
        coverage=_coverage(_list(layer, path, "restrictions"), f"{path}.restrictions"),
        since=since,
        now=now,
        until=until,
        ended=layer.get("end") is not None and common.instant(layer["end"], f"{path}.end") <= now,
    )


def _coverage(restrictions: list[Any], path: str) -> tuple[dict[str, Any], ...]:
    pieces: list[dict[str, Any]] = []
    for position, item in enumerate(restrictions):
        where = f"{path}[{position}]"
        kind = common.field(item, where, "type", str)
        start = common.minutes_of(
            common.field(item, where, "start_time_of_day", str), f"{where}.start_time_of_day"
        )
        minutes = common.field(item, where, "duration_seconds", int) // 60
        if kind == "daily_restriction":
            found = common.span_windows(None, start, minutes)
            if not found:
                return ()
            pieces.extend(found)
        elif kind == "weekly_restriction":
            day = common.field(item, where, "start_day_of_week", int)
            if not 1 <= day <= 7:
                raise ImportFileError(f"{where}.start_day_of_week", "must be 1 (Monday) to 7")
            pieces.extend(common.span_windows(day - 1, start, minutes))
        else:
            raise ImportFileError(f"{where}.type", f"unknown restriction type {kind!r}")
    return common.merged_windows(pieces, path) if pieces else ()


def _entries(node: Any, path: str, name: str, people: _People) -> list[SourceShift]:
    """``node[name].rendered_schedule_entries`` as shifts (absent: none)."""
    sub = node.get(name) if isinstance(node, dict) else None
    if not isinstance(sub, dict):
        return []
    where = f"{path}.{name}"
    return [
        _entry(entry, f"{where}.rendered_schedule_entries[{i}]", people)
        for i, entry in enumerate(_list(sub, where, "rendered_schedule_entries"))
    ]


def _entry(entry: Any, path: str, people: _People) -> SourceShift:
    start = common.instant(common.field(entry, path, "start", str), f"{path}.start")
    end = common.instant(common.field(entry, path, "end", str), f"{path}.end")
    if end <= start:
        raise ImportFileError(f"{path}.end", "is not after start")
    person = people.see(common.field(entry, path, "user", dict), f"{path}.user")
    return SourceShift(start, end, person)


def _overrides(document: Any, root: Any, path: str, people: _People) -> tuple[SourceShift, ...]:
    listed = _list(document, "$", "overrides")
    if listed:
        return tuple(_entry(item, f"$.overrides[{i}]", people) for i, item in enumerate(listed))
    return tuple(_entries(root, path, "overrides_subschedule", people))
