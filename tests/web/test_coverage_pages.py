"""Coverage windows and holidays on the pages: the weekly grid of the settings form, the
rotation page's next holiday and holidays in the month, and schedule pages."""

from __future__ import annotations

import html
import re
from collections import defaultdict
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from rotation.models import Schedule, ScheduleLayer
from tests.conftest import DEFAULT_NOW
from tests.factories import make_rotation, make_shifts
from tests.probes import fingerprint
from tests.web.rotation_page_helpers import MANAGE, log_in, managed, person, post


def form_fields(page: str) -> dict[str, list[str]]:
    """Every value the settings form would send, repeated names kept (as a browser does)."""
    form = re.search(r'action="/rotations/[^"]+/manage/settings".*?</form>', page, re.S)
    assert form is not None
    fields: dict[str, list[str]] = defaultdict(list)
    for tag in re.findall(r"<input[^>]*>", form.group(0)):
        name, value = re.search(r'name="(\w+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and value and ('type="checkbox"' not in tag or " checked" in tag):
            fields[name.group(1)].append(html.unescape(value.group(1)))
    for select in re.findall(r'<select[^>]*name="(\w+)".*?</select>', form.group(0), re.S):
        chosen = re.search(
            rf'name="{select}".*?<option value="([^"]*)"[^>]* selected', form.group(0), re.S
        )
        fields[select] = [chosen.group(1) if chosen else ""]
    for area in ("description", "managers"):
        found = re.search(rf'name="{area}"[^>]*>([^<]*)<', form.group(0))
        fields[area] = [html.unescape(found.group(1)) if found else ""]
    fields.pop("csrf_token", None)
    return dict(fields)


def with_window(
    fields: dict[str, list[str]], row: int, days: list[str], start: str, end: str
) -> dict[str, list[str]]:
    changed = {k: list(v) for k, v in fields.items()}
    changed["coverage_days"] = [
        d for d in changed.get("coverage_days", []) if not d.startswith(f"{row}-")
    ]
    changed["coverage_days"] += [f"{row}-{day}" for day in days]
    changed["coverage_start"][row] = start
    changed["coverage_end"][row] = end
    return changed


def test_the_settings_grid_saves_windows_and_a_holiday_rule_and_shows_them_again(
    client: TestClient, session: Session
) -> None:
    rotation, manager, _people = managed(session, "Ana", "Sam", timezone="Europe/Amsterdam")
    log_in(client, manager)
    fields = form_fields(client.get(MANAGE).text)
    assert fields["coverage_start"] == ["", ""]  # around the clock: two blank rows
    fields = with_window(fields, 0, ["mon", "tue", "wed", "thu", "fri"], "09:00", "17:00")
    fields = with_window(fields, 1, ["sat"], "22:00", "02:00")
    fields["coverage_overnight"] = ["1"]
    fields.update(holiday_policy=["skip"], holiday_country=["nl"], action=["save"])

    response = post(client, MANAGE + "/settings", fields)

    assert response.status_code == 303, response.text
    session.expire_all()
    assert rotation.coverage == [
        {
            "days": ["mon", "tue", "wed", "thu", "fri"],
            "start": "09:00",
            "end": "17:00",
            "overnight": False,
        },
        {"days": ["sat"], "start": "22:00", "end": "02:00", "overnight": True},
    ]
    assert (rotation.holiday_country, rotation.holiday_policy) == ("NL", "skip")
    again = form_fields(client.get(MANAGE).text)
    assert again["coverage_start"] == ["09:00", "22:00", "", ""]
    assert again["coverage_overnight"] == ["1"]
    assert again["holiday_policy"] == ["skip"]
    page = client.get("/rotations/tier-two").text
    assert "Covered Mon-Fri 09:00-17:00; Sat 22:00-02:00 next day (Europe/Amsterdam)" in page
    assert "Next holiday: Christmas Day, Fri 25 Dec — not staffed" in page


def test_overlapping_rows_and_unknown_countries_come_back_marked_and_save_nothing(
    client: TestClient, session: Session
) -> None:
    _rotation, manager, _people = managed(session, "Ana")
    log_in(client, manager)
    fields = form_fields(client.get(MANAGE).text)
    overlapping = with_window(fields, 0, ["mon"], "09:00", "17:00")
    overlapping = with_window(overlapping, 1, ["mon"], "16:00", "18:00")
    before = fingerprint(session)

    refused = post(client, MANAGE + "/settings", {**overlapping, "action": ["save"]})

    assert refused.status_code == 422
    assert "row 0 and row 1 overlap" in refused.text
    assert 'value="16:00"' in refused.text  # what was typed stays
    backwards = with_window(fields, 0, ["fri"], "22:00", "06:00")
    refused = post(client, MANAGE + "/settings", {**backwards, "action": ["save"]})
    assert refused.status_code == 422
    assert "Row 1: end 06:00 is not after start 22:00" in html.unescape(refused.text)
    unknown = {**fields, "holiday_policy": ["staff"], "holiday_country": ["ZZ"], "action": ["save"]}
    refused = post(client, MANAGE + "/settings", unknown)
    assert refused.status_code == 422
    assert "unknown country code" in html.unescape(refused.text)
    assert fingerprint(session) == before


def test_the_month_lists_holidays_and_duty_only_inside_the_windows(
    client: TestClient, session: Session
) -> None:
    rotation, manager, _people = managed(session, "Ana", timezone="Europe/Amsterdam")
    rotation.coverage = [
        {"days": ["mon", "tue"], "start": "09:00", "end": "12:00", "overnight": False}
    ]
    rotation.holiday_country, rotation.holiday_policy = "NL", "staff"
    session.flush()
    log_in(client, manager)
    page = client.get("/rotations/tier-two?month=2026-12").text
    assert "Christmas Day" in page and "Second Day of Christmas" in page
    assert "Next holiday: Christmas Day, Fri 25 Dec — staffed" in page
    # Duty only on Mondays and Tuesdays: Ana appears on those days of the grid only.
    cells = re.findall(r'<td class="day[^"]*".*?</td>', page, re.S)
    days_with_ana = [
        re.search(r'<span class="weekday">(\w+)', c).group(1) for c in cells if "Ana" in c
    ]  # type: ignore[union-attr]
    assert days_with_ana and set(days_with_ana) <= {"Mon", "Tue"}
    # Each of those days shows when its duty starts: 09:00 on the rotation's (and viewer's) clock.
    assert all('<span class="time">09:00</span>' in c for c in cells if "Ana" in c)


def test_schedule_pages_show_layers_who_answers_and_the_final_line(
    client: TestClient, session: Session
) -> None:
    viewer = person(session, name="Vera", timezone="UTC")
    kenji = person(session, name="Kenji")
    apac = make_rotation(session, name="APAC", timezone="Asia/Tokyo", start_date=date(2026, 11, 23))
    apac.coverage = [
        {
            "days": ["mon", "tue", "wed", "thu", "fri"],
            "start": "09:00",
            "end": "17:00",
            "overnight": False,
        }
    ]
    make_shifts(session, rotation=apac, people=[kenji], indexes=range(0, 2))
    schedule = Schedule(
        slug="sun", name="Follow the sun", created_at=DEFAULT_NOW, updated_at=DEFAULT_NOW
    )
    session.add(schedule)
    session.flush()
    session.add(ScheduleLayer(schedule_id=schedule.id, position=0, rotation_id=apac.id))
    session.flush()
    log_in(client, viewer)

    listing = client.get("/schedules")
    assert listing.status_code == 200
    assert "Follow the sun" in listing.text and "APAC" in listing.text
    page = client.get("/schedules/sun")
    assert page.status_code == 200
    # DEFAULT_NOW is Tuesday 10:00 UTC: after Tokyo's 17:00, so nobody answers.
    assert "Nobody: no layer has anyone on duty right now." in page.text
    # Tokyo 09:00-17:00 on Tuesday to Friday and the next Monday: five stretches.
    assert page.text.count("<td>Kenji</td>") == 5
    assert "/schedules/sun.ics" in page.text
    assert client.get("/schedules/moon").status_code == 404
