"""Property: a PagerDuty schedule within what allhands can hold imports minute for minute.

The source's final schedule is computed here by a separate oracle (wall-clock turn counting
in 15-minute steps, later layers first, overrides on top), the way the fixtures' are. The one
thing allhands cannot hold, an override where no layer is on duty, must be listed with its
reason.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from flows import schedule_import

NOW = datetime(2027, 3, 1, 5, 0, tzinfo=UTC)
WINDOW = timedelta(weeks=6)
STEP = timedelta(minutes=15)
ZONES = ["America/New_York", "Europe/Amsterdam", "Australia/Sydney", "Asia/Tokyo", "UTC"]


@st.composite
def layers(draw: st.DrawFn, zone: str, first_user: int) -> dict[str, Any]:
    days = draw(st.sampled_from([1, 2, 3, 7, 14]))
    size = draw(st.integers(2, 4))
    local = datetime(2027, 1, 1, tzinfo=ZoneInfo(zone)) + timedelta(
        days=draw(st.integers(0, 40)), hours=draw(st.integers(0, 23))
    )
    restrictions = []
    if draw(st.booleans()):
        start_hour = draw(st.integers(0, 23))
        restrictions.append(
            {
                "type": "daily_restriction",
                "start_time_of_day": f"{start_hour:02d}:00:00",
                "duration_seconds": draw(st.integers(1, 23)) * 3600,
            }
        )
    return {
        "id": f"L{first_user}",
        "name": f"Layer {first_user}",
        "start": local.isoformat(),
        "end": None,
        "rotation_virtual_start": local.isoformat(),
        "rotation_turn_length_seconds": days * 86_400,
        "users": [
            {"user": {"id": f"U{first_user + i}", "summary": f"User {first_user + i}"}}
            for i in range(size)
        ],
        "restrictions": restrictions,
    }


def layer_person(layer: dict[str, Any], at: datetime, zone: ZoneInfo) -> str | None:
    local = at.astimezone(zone)
    for r in layer["restrictions"]:
        begin = int(r["start_time_of_day"][:2]) * 60
        if (local.hour * 60 + local.minute - begin) % 1440 >= r["duration_seconds"] // 60:
            return None
    virtual = datetime.fromisoformat(layer["rotation_virtual_start"]).astimezone(zone)
    if at < virtual:
        return None
    days = layer["rotation_turn_length_seconds"] // 86_400
    elapsed = local.replace(tzinfo=None) - virtual.replace(tzinfo=None)
    turn = int(elapsed.total_seconds() // (days * 86_400))
    users = layer["users"]
    return str(users[turn % len(users)]["user"]["id"])


def final_schedule(document: dict[str, Any]) -> list[dict[str, Any]]:
    schedule = document["schedule"]
    zone = ZoneInfo(schedule["time_zone"])
    entries: list[dict[str, Any]] = []
    at = NOW
    overrides = [
        (datetime.fromisoformat(o["start"]), datetime.fromisoformat(o["end"]), o["user"]["id"])
        for o in document.get("overrides", [])
    ]
    while at < NOW + WINDOW:
        # Overlapping overrides: the later one listed wins, as the import places them.
        person = next((user for low, high, user in reversed(overrides) if low <= at < high), None)
        for layer in reversed(schedule["schedule_layers"]):
            if person is not None:
                break
            person = layer_person(layer, at, zone)
            if person is not None:
                break
        if person is not None:
            if entries and entries[-1]["user"]["id"] == person and entries[-1]["end"] == at:
                entries[-1]["end"] = at + STEP
            else:
                entries.append({"start": at, "end": at + STEP, "user": {"id": person}})
        at += STEP
    return [{**e, "start": e["start"].isoformat(), "end": e["end"].isoformat()} for e in entries]


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    zone = draw(st.sampled_from(ZONES))
    count = draw(st.integers(1, 3))
    drawn = [draw(layers(zone, first_user=10 * (i + 1))) for i in range(count)]
    users = [
        {
            "id": user["user"]["id"],
            "name": user["user"]["summary"],
            "email": f"{user['user']['id'].lower()}@example.com",
        }
        for layer in drawn
        for user in layer["users"]
    ]
    overrides = []
    for _ in range(draw(st.integers(0, 2))):
        start = NOW + STEP * draw(st.integers(0, 4 * 24 * 7 * 5))
        overrides.append(
            {
                "start": start.isoformat(),
                "end": (start + STEP * draw(st.integers(1, 4 * 30))).isoformat(),
                "user": {"id": draw(st.sampled_from(users))["id"]},
            }
        )
    document = {
        "schedule": {
            "id": "PPROP",
            "name": "Property",
            "time_zone": zone,
            "schedule_layers": drawn,
        },
        "users": users,
        "overrides": sorted(overrides, key=lambda o: o["start"]),
    }
    document["schedule"]["final_schedule"] = {"rendered_schedule_entries": final_schedule(document)}
    return document


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(document=documents())
def test_any_layered_schedule_imports_minute_for_minute(
    session: Session, document: dict[str, Any]
) -> None:
    if not document["schedule"]["final_schedule"]["rendered_schedule_entries"]:
        return
    report = schedule_import.run(
        session, kind="pagerduty", text=json.dumps(document), now=NOW, actor=None, dry_run=True
    )
    assert report.fidelity is not None
    # Where the source differs at all, it is an override over a gap in every layer, which
    # allhands cannot hold (it overrides a shift's duty) and says so.
    for disagreement in report.fidelity.disagreements:
        assert disagreement.allhands is None, disagreement
        assert "falls where no layer is on duty" in disagreement.reason, disagreement
