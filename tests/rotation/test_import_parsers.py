"""The pure parsers of other tools' exports: restrictions as windows, zones, rosters, errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from rotation.coverage import parse_windows
from rotation.imports import common, grafana, opsgenie, spreadsheet
from rotation.imports.plan import ImportFileError

NOW = datetime(2027, 3, 1, 5, 0, tzinfo=UTC)


def test_a_weekly_span_over_a_weekend_splits_into_daily_windows() -> None:
    # Friday 17:00 for 64 hours: the whole weekend until Monday 09:00.
    pieces = common.span_windows(4, 17 * 60, 64 * 60)
    windows = common.merged_windows(pieces, "$")
    assert [(w["days"], w["start"], w["end"]) for w in windows] == [
        (["fri"], "17:00", "24:00"),
        (["sat", "sun"], "00:00", "24:00"),
        (["mon"], "00:00", "09:00"),
    ]
    parse_windows(windows)


def test_a_daily_span_of_a_whole_day_is_around_the_clock() -> None:
    assert common.span_windows(None, 9 * 60, 24 * 60) == []
    (night,) = common.span_windows(None, 22 * 60, 10 * 60)
    assert (night["start"], night["end"], night["overnight"]) == ("22:00", "08:00", True)


def opsgenie_document(restriction: dict[str, Any], **rotation: Any) -> str:
    return json.dumps(
        {
            "data": {
                "id": "s1",
                "name": "Support",
                "timezone": "Europe/Amsterdam",
                "rotations": [
                    {
                        "id": "r1",
                        "name": "Nights",
                        "startDate": "2027-01-04T21:00:00Z",
                        "type": "weekly",
                        "length": 1,
                        "participants": [
                            {"type": "user", "username": "ana@example.com"},
                            {"type": "user", "username": "bo@example.com"},
                        ],
                        "timeRestriction": restriction,
                        **rotation,
                    }
                ],
            },
            "took": 0.01,
            "requestId": "x",
        }
    )


def test_opsgenie_restriction_that_wraps_the_week() -> None:
    text = opsgenie_document(
        {
            "type": "weekday-and-time-of-day",
            "restrictions": [
                {
                    "startDay": "sunday",
                    "startHour": 22,
                    "startMin": 0,
                    "endDay": "monday",
                    "endHour": 6,
                    "endMin": 0,
                }
            ],
        }
    )
    (rotation,) = opsgenie.parse(text, now=NOW).rotations
    assert [(w["days"], w["start"], w["end"]) for w in rotation.coverage] == [
        (["sun"], "22:00", "24:00"),
        (["mon"], "00:00", "06:00"),
    ]
    assert rotation.roster == ("ana@example.com", "bo@example.com")
    assert str(rotation.handoff_time) == "22:00:00"


def test_opsgenie_hourly_rotation_of_twelve_hours_is_refused_with_its_path() -> None:
    text = opsgenie_document(
        {"type": "time-of-day", "restriction": {"startHour": 9, "endHour": 17}},
        type="hourly",
        length=12,
    )
    with pytest.raises(ImportFileError) as caught:
        opsgenie.parse(text, now=NOW)
    assert caught.value.where == "$.data.rotations[0].length"


def grafana_document(**shift: Any) -> str:
    base = {
        "id": "O1",
        "name": "Weekdays",
        "type": "rolling_users",
        "time_zone": "Europe/London",
        "level": 0,
        "start": "2027-01-04T09:00:00",
        "duration": 28800,
        "frequency": "weekly",
        "interval": 1,
        "by_day": ["MO", "TU", "WE", "TH", "FR"],
        "rolling_users": [["U1"], ["U2"], ["U3"]],
        "start_rotation_from_user_index": 0,
    }
    return json.dumps(
        {
            "schedule": {"id": "S1", "name": "Support", "time_zone": "Europe/London"},
            "on_call_shifts": [{**base, **shift}],
        }
    )


def test_grafana_start_rotation_from_user_index_moves_the_roster() -> None:
    (rotation,) = grafana.parse(
        grafana_document(start_rotation_from_user_index=1), now=NOW
    ).rotations
    assert rotation.roster == ("U2", "U3", "U1")


def test_grafana_turn_of_two_users_is_refused_with_its_path() -> None:
    with pytest.raises(ImportFileError) as caught:
        grafana.parse(grafana_document(rolling_users=[["U1", "U2"]]), now=NOW)
    assert caught.value.where == "$.on_call_shifts[0].rolling_users[0]"


def test_spreadsheet_zone_is_a_well_known_one_that_fits_every_offset() -> None:
    text = (
        "start,end,email\n"
        "2027-03-22T09:00:00+01:00,2027-03-29T09:00:00+02:00,ana@example.com\n"
        "2027-03-29T09:00:00+02:00,2027-04-05T09:00:00+02:00,bo@example.com\n"
    )
    (rotation,) = spreadsheet.parse(text, now=NOW).rotations
    assert rotation.timezone == "Europe/Amsterdam"
    assert str(rotation.handoff_time) == "09:00:00"
    assert rotation.shift_days == 7


def test_spreadsheet_overlapping_rows_name_both_lines() -> None:
    text = (
        "start,end,email\n"
        "2027-03-01T09:00:00Z,2027-03-08T09:00:00Z,ana@example.com\n"
        "2027-03-07T09:00:00Z,2027-03-14T09:00:00Z,bo@example.com\n"
    )
    with pytest.raises(ImportFileError, match="line 3: overlaps the shift of line 2"):
        spreadsheet.parse(text, now=NOW)
