"""Importing schedules from other tools: fidelity against the source's own final line,
idempotent re-import, dry runs that write nothing, and bad files that import nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.errors import Conflict, Invalid
from core.models import Person
from flows import schedule_import
from rotation.models import ImportedSource, Rotation, RotationMember, Schedule, Shift

FIXTURES = Path(__file__).parent.parent / "fixtures" / "imports"
# The fixtures' windows open at midnight 1 March 2027 in New York; the US changes to summer
# time on 14 March and Europe on 28 March, both inside the 12 weeks that follow.
NOW = datetime(2027, 3, 1, 5, 0, tzinfo=UTC)


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


def counts(session: Session) -> tuple[int, ...]:
    return tuple(
        session.scalar(select(func.count()).select_from(model)) or 0
        for model in (Person, Rotation, RotationMember, Shift, Schedule, ImportedSource)
    )


def test_pagerduty_final_schedule_is_reproduced_minute_for_minute(session: Session) -> None:
    report = schedule_import.run(
        session, kind="pagerduty", text=fixture("pagerduty_schedule.json"), now=NOW, actor=None
    )
    assert report.fidelity is not None
    assert report.fidelity.disagreements == []
    assert report.fidelity.minutes == 12 * 7 * 24 * 60 - 60  # the hour lost to summer time
    assert report.fidelity.agreeing == report.fidelity.minutes
    assert len(report.people_created) == 12
    assert [r["name"] for r in report.rotations] == [
        "Business hours",
        "Evenings and nights",
        "Weekends",
    ]
    assert report.schedule == "customer-support-all-hands"
    assert report.history_shifts > 0
    assert report.overrides >= 3


def test_pagerduty_rotations_keep_roster_order_and_history(session: Session) -> None:
    schedule_import.run(
        session, kind="pagerduty", text=fixture("pagerduty_schedule.json"), now=NOW, actor=None
    )
    rotation = session.scalars(select(Rotation).where(Rotation.slug == "business-hours")).one()
    assert rotation.coverage == [
        {
            "days": ["mon", "tue", "wed", "thu", "fri"],
            "start": "09:00",
            "end": "17:00",
            "overnight": False,
        }
    ]
    roster = session.scalars(
        select(Person.email)
        .join(RotationMember, RotationMember.person_id == Person.id)
        .where(RotationMember.rotation_id == rotation.id)
        .order_by(RotationMember.position)
    ).all()
    assert roster == ["ada@example.com", "bram@example.com", "chen@example.com", "dana@example.com"]
    past = session.scalars(
        select(Shift).where(Shift.rotation_id == rotation.id, Shift.end <= NOW)
    ).all()
    assert len(past) == 4  # one full round of history


def test_opsgenie_final_timeline_is_reproduced_minute_for_minute(session: Session) -> None:
    report = schedule_import.run(
        session, kind="opsgenie", text=fixture("opsgenie_schedule.json"), now=NOW, actor=None
    )
    assert report.fidelity is not None
    assert report.fidelity.disagreements == []
    assert report.fidelity.agreeing == report.fidelity.minutes > 11 * 7 * 24 * 60
    assert len(report.people_created) == 12
    names = [r["name"] for r in report.rotations]
    assert names == ["Business hours", "Evenings and nights", "Weekend days"]
    evenings = report.rotations[1]
    assert evenings["coverage"] == [
        {
            "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
            "start": "17:00",
            "end": "09:00",
            "overnight": True,
        }
    ]
    assert evenings["cadence"] == "Daily at 17:00 (Europe/Amsterdam)"


def test_grafana_final_shifts_agree_except_an_override_in_a_gap_which_is_explained(
    session: Session,
) -> None:
    report = schedule_import.run(
        session, kind="grafana", text=fixture("grafana_schedule.json"), now=NOW, actor=None
    )
    assert report.fidelity is not None
    assert [r["name"] for r in report.rotations] == [
        "London weekdays",
        "New York weekdays",
        "Weekend mornings",
    ]
    assert report.rotations[1]["cadence"] == "Weekly, Mondays at 09:00 (America/New_York)"
    # The launch-night override covers 00:00-03:00 UTC on 28 March, when no layer is on duty:
    # allhands overrides a shift's duty, so that stretch stays a gap, and the report says so.
    (only,) = report.fidelity.disagreements
    assert (only.start, only.end) == (
        datetime(2027, 3, 28, 0, 0, tzinfo=UTC),
        datetime(2027, 3, 28, 3, 0, tzinfo=UTC),
    )
    assert (only.source, only.allhands) == ("femi@example.net", None)
    assert "falls where no layer is on duty" in only.reason
    assert report.fidelity.minutes - report.fidelity.agreeing == 180


def test_ical_recurring_events_become_rotations_and_a_moved_occurrence_an_override(
    session: Session,
) -> None:
    report = schedule_import.run(
        session,
        kind="ical",
        text=fixture("support_rota.ics"),
        now=NOW,
        actor=None,
        name="support_rota.ics",
    )
    assert report.fidelity is not None
    assert report.fidelity.disagreements == []
    assert report.fidelity.minutes > 3 * 11 * 7 * 24 * 60 // 2
    by_name = {r["name"]: r for r in report.rotations}
    assert by_name["Tier 2 New York"]["cadence"] == "Weekly, Tuesdays at 10:00 (America/New_York)"
    assert by_name["Tier 2 Amsterdam"]["roster"] == [
        "ada@example.com",
        "bram@example.com",
        "chen@example.com",
        "dana@example.com",
    ]
    assert by_name["Tier 2 Amsterdam"]["overrides"] == 1  # the swapped week
    weekend = by_name["Weekend duty"]
    assert weekend["cadence"] == "Weekly, Saturdays at 09:00 (Europe/Amsterdam)"
    assert [w["days"] for w in weekend["coverage"]] == [["sat"], ["sun"], ["mon"]]
    assert len(report.people_created) == 12


def test_an_event_with_two_attendees_is_refused_by_uid(session: Session) -> None:
    text = fixture("support_rota.ics").replace(
        'ATTENDEE;CN="Ada Okafor":mailto:ada@example.com',
        'ATTENDEE;CN="Ada Okafor":mailto:ada@example.com\r\nATTENDEE:mailto:bram@example.com',
    )
    before = counts(session)
    with pytest.raises(Invalid) as caught:
        schedule_import.run(session, kind="ical", text=text, now=NOW, actor=None)
    assert caught.value.detail.startswith("event tier-2-amsterdam-0@google.com: has several")
    assert counts(session) == before


def test_a_team_participant_is_refused_with_its_path(session: Session) -> None:
    text = fixture("opsgenie_schedule.json").replace(
        '"type": "user",\n              "id": "7a1e0001',
        '"type": "team",\n              "id": "7a1e0001',
        1,
    )
    with pytest.raises(Invalid) as caught:
        schedule_import.run(session, kind="opsgenie", text=text, now=NOW, actor=None)
    assert caught.value.detail.startswith(
        "$.schedule.data.rotations[0].participants[0].type: a 'team' participant"
    )


def test_reimporting_the_same_source_changes_nothing(session: Session) -> None:
    text = fixture("pagerduty_schedule.json")
    schedule_import.run(session, kind="pagerduty", text=text, now=NOW, actor=None)
    before = counts(session)
    again = schedule_import.run(session, kind="pagerduty", text=text, now=NOW, actor=None)
    assert again.status == "unchanged"
    assert counts(session) == before


def test_reimporting_changed_content_is_a_conflict(session: Session) -> None:
    text = fixture("pagerduty_schedule.json")
    schedule_import.run(session, kind="pagerduty", text=text, now=NOW, actor=None)
    before = counts(session)
    with pytest.raises(Conflict):
        schedule_import.run(
            session,
            kind="pagerduty",
            text=text.replace("Weekends", "Weekend"),
            now=NOW,
            actor=None,
        )
    assert counts(session) == before


def test_dry_run_writes_nothing_and_still_reports(session: Session) -> None:
    before = counts(session)
    report = schedule_import.run(
        session,
        kind="pagerduty",
        text=fixture("pagerduty_schedule.json"),
        now=NOW,
        actor=None,
        dry_run=True,
    )
    assert report.status == "dry-run"
    assert report.fidelity is not None and report.fidelity.disagreements == []
    assert counts(session) == before


def test_spreadsheet_rows_are_reproduced_with_the_swap_as_an_override(session: Session) -> None:
    report = schedule_import.run(
        session,
        kind="csv",
        text=fixture("spreadsheet.csv"),
        now=NOW,
        actor=None,
        name="support.csv",
    )
    assert report.fidelity is not None
    assert report.fidelity.disagreements == []
    assert report.fidelity.minutes > 0
    amsterdam = next(r for r in report.rotations if r["name"] == "Tier 2 Amsterdam")
    assert amsterdam["cadence"] == "Weekly, Mondays at 09:00 (Europe/Amsterdam)"
    assert amsterdam["overrides"] == 1  # chen and dana traded a week
    weekend = next(r for r in report.rotations if r["name"] == "Weekend duty")
    assert weekend["cadence"].startswith("Every 2 weeks, Saturdays at 08:30")
    assert report.schedule is None


@pytest.mark.parametrize(
    ("kind", "text", "where"),
    [
        (
            "csv",
            "start,end,email\n2027-03-01T09:00:00+01:00,2027-03-08T09:00:00+01:00,ada@x.io\n"
            "2027-03-08T09:00:00,2027-03-15T09:00:00+01:00,bram@x.io\n",
            "line 3",
        ),
        ("csv", "begin,end,email\n", "line 1"),
        (
            "pagerduty",
            '{"schedule": {"id": "P1", "time_zone": "Mars/Olympus"}}',
            "$.schedule.time_zone",
        ),
        (
            "pagerduty",
            '{"schedule": {"id": "P1", "time_zone": "UTC", "schedule_layers": [{"id":'
            ' "L", "start": "2027-01-01T00:00:00Z",'
            ' "rotation_virtual_start": "2027-01-01T00:00:00Z",'
            ' "rotation_turn_length_seconds": 43200, "users": []}]}}',
            "$.schedule.schedule_layers[0].rotation_turn_length_seconds",
        ),
        ("pagerduty", '{"schedule": ', "line 1"),
    ],
)
def test_bad_files_name_the_place_and_import_nothing(
    session: Session, kind: str, text: str, where: str
) -> None:
    before = counts(session)
    with pytest.raises(Invalid) as caught:
        schedule_import.run(session, kind=kind, text=text, now=NOW, actor=None)
    assert str(caught.value.detail).startswith(where)
    assert counts(session) == before


@pytest.mark.parametrize(
    ("layer", "message"),
    [
        (
            {"rotation_virtual_start": "0001-01-01T00:00:00Z", "start": "0001-01-01T00:00:00Z"},
            "the file holds a value out of range",
        ),
        ({"name": "x" * 300}, "rotation 'xxx"),
        (
            {"rotation_virtual_start": "2300-01-05T00:00:00Z"},
            "rotation 'Weekends' cannot be imported: start_date",
        ),
    ],
)
def test_values_allhands_cannot_hold_are_refused_and_nothing_is_written(
    session: Session, layer: dict[str, str], message: str
) -> None:
    document = json.loads(fixture("pagerduty_schedule.json"))
    document["schedule"]["schedule_layers"][0].update(layer)
    before = counts(session)
    with pytest.raises(Invalid) as caught:
        schedule_import.run(
            session, kind="pagerduty", text=json.dumps(document), now=NOW, actor=None
        )
    assert caught.value.detail.startswith(message)
    assert counts(session) == before


def test_a_layer_order_change_shows_up_as_listed_disagreements(session: Session) -> None:
    """The check is not a formality: reversing the layers puts the wrong people on duty, and
    every such stretch is listed with who the source has and who allhands has."""
    document = json.loads(fixture("pagerduty_schedule.json"))
    document["schedule"]["schedule_layers"].reverse()
    report = schedule_import.run(
        session, kind="pagerduty", text=json.dumps(document), now=NOW, actor=None, dry_run=True
    )
    assert report.fidelity is not None
    assert report.fidelity.agreeing < report.fidelity.minutes
    first = report.fidelity.disagreements[0]
    assert first.source and first.allhands and first.source != first.allhands
    assert (
        first.reason == f"allhands has {first.allhands} on duty where the source has {first.source}"
    )
    listed = sum((d.end - d.start).total_seconds() // 60 for d in report.fidelity.disagreements)
    assert listed == report.fidelity.minutes - report.fidelity.agreeing


def test_people_map_reads_source_email_rows_and_names_a_bad_line() -> None:
    assert schedule_import.read_people_map(
        "source,email\nPU1,Ana@Example.com\n\nBo,bo@example.com\n"
    ) == {
        "PU1": "ana@example.com",
        "Bo": "bo@example.com",
    }
    with pytest.raises(Invalid, match="people map line 2"):
        schedule_import.read_people_map("PU1,ana@example.com\nPU2,not-an-email\n")


def test_a_very_long_schedule_id_is_kept_short_and_stable(session: Session) -> None:
    document = json.loads(fixture("pagerduty_schedule.json"))
    document["schedule"]["id"] = "P" * 500
    text = json.dumps(document)
    first = schedule_import.run(session, kind="pagerduty", text=text, now=NOW, actor=None)
    assert len(first.key) <= 100
    again = schedule_import.run(session, kind="pagerduty", text=text, now=NOW, actor=None)
    assert (again.key, again.status) == (first.key, "unchanged")


def test_spreadsheets_without_a_name_are_told_apart_by_content(session: Session) -> None:
    rows = "start,end,email\n2027-02-22T09:00:00Z,2027-03-01T09:00:00Z,{who}@example.com\n"
    one = schedule_import.run(session, kind="csv", text=rows.format(who="ana"), now=NOW, actor=None)
    two = schedule_import.run(session, kind="csv", text=rows.format(who="bo"), now=NOW, actor=None)
    assert one.key != two.key
    assert (one.status, two.status) == ("created", "created")


def test_an_import_racing_another_of_the_same_source_is_a_conflict(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other import commits between our check and our write: the unique key catches it."""
    text = fixture("pagerduty_schedule.json")
    schedule_import.run(session, kind="pagerduty", text=text, now=NOW, actor=None)
    before = counts(session)
    scalar = session.scalar
    seen = {"check": False}

    def check_misses_it(statement: object, *args: object, **kwargs: object) -> object:
        if not seen["check"] and "imported_source" in str(statement):
            seen["check"] = True
            return None
        return scalar(statement, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(session, "scalar", check_misses_it)
    with pytest.raises(Conflict, match="is being imported by someone else"):
        schedule_import.run(session, kind="pagerduty", text=text, now=NOW, actor=None)
    monkeypatch.undo()
    assert counts(session) == before
