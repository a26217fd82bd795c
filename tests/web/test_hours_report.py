"""Hours reports: the ledger over the API (JSON and CSV) and as a page, checked by hand."""

from __future__ import annotations

import csv
import io
from datetime import time

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from core.security import hash_password
from tests.factories import (
    MONDAY,
    headers_for,
    make_person,
    make_rotation,
    make_shift,
    reassign,
)
from tests.querycount import count_statements
from tests.web.test_auth_pages import login

URL = "/api/v1/reports/hours"


def _world(session: Session) -> dict[str, object]:
    manager = make_person(session, name="Mia Manager", email="mia@example.com")
    ana = make_person(session, name="Ana de Vries", email="ana@example.com")
    bo = make_person(session, name="Bo Berg", email="bo@example.com")
    cy = make_person(session, name="Cy Cover", email="cy@example.com")
    rotation = make_rotation(
        session,
        slug="tier-2",
        timezone="UTC",
        start_date=MONDAY,
        handoff_time=time(9, 0),
        managers=[manager],
        members=[ana, bo, cy],
    )
    return {"manager": manager, "ana": ana, "bo": bo, "cy": cy, "rotation": rotation}


def _lines(response_json: dict[str, object]) -> dict[str, dict[str, object]]:
    return {line["person"]["email"]: line for line in response_json["lines"]}  # type: ignore[index, union-attr]


def test_two_weeks_by_hand(client: TestClient, session: Session) -> None:
    w = _world(session)
    rotation = w["rotation"]
    make_shift(session, rotation=rotation, person=w["ana"], index=0)  # Mon 23 Nov 09:00 → 30 Nov
    second = make_shift(session, rotation=rotation, person=w["bo"], index=1)  # 30 Nov → 7 Dec
    reassign(session, shift=second, person=w["cy"], now=second.start, kind="override")
    session.flush()
    response = client.get(
        URL,
        params={"start": "2026-11-23", "end": "2026-12-07", "rotation": "tier-2"},
        headers=headers_for(session, w["manager"]),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    lines = _lines(body)
    # Ana: the whole first week, Mon 09:00 to Mon 09:00: five weekdays and a weekend.
    assert lines["ana@example.com"]["hours"] == 168
    assert lines["ana@example.com"]["weekday_hours"] == 120
    assert lines["ana@example.com"]["weekend_hours"] == 48
    assert lines["ana@example.com"]["burden"] == 120 + 48 * 1.5
    # Cy covered Bo's week, cut at the report's end (Mon 7 Dec 00:00): Monday 30 from 09:00
    # (15 h), Tuesday to Friday (96 h), the weekend (48 h).
    cy = lines["cy@example.com"]
    assert (cy["weekday_hours"], cy["weekend_hours"], cy["hours"]) == (111, 48, 159)
    assert cy["covers_given"] == 1 and cy["covers_received"] == 0
    bo = lines["bo@example.com"]
    assert bo["hours"] == 0 and bo["covers_received"] == 1 and bo["shifts"] == 0
    assert body["weights"] == {"weekday": 1.0, "weekend": 1.5, "holiday": 2.0}


def test_staffed_holidays_weigh_double(client: TestClient, session: Session) -> None:
    w = _world(session)
    rotation = w["rotation"]
    rotation.holiday_country = "NL"
    rotation.holiday_policy = "staff"
    make_shift(session, rotation=rotation, person=w["ana"], index=4)  # Mon 21 Dec → Mon 28 Dec
    session.flush()
    response = client.get(
        URL,
        params={"start": "2026-12-21", "end": "2026-12-29", "rotation": "tier-2"},
        headers=headers_for(session, w["manager"]),
    )
    ana = _lines(response.json())["ana@example.com"]
    # Christmas (Fri 25) and the second day (Sat 26) are holidays; Sunday 27 is weekend.
    assert (ana["holiday_hours"], ana["weekend_hours"], ana["weekday_hours"]) == (48, 24, 96)
    assert ana["burden"] == 96 + 24 * 1.5 + 48 * 2


def test_csv_has_the_same_figures_and_across_sums_rotations(
    client: TestClient, session: Session
) -> None:
    w = _world(session)
    other = make_rotation(
        session, slug="tier-3", timezone="UTC", start_date=MONDAY, managers=[w["manager"]]
    )
    make_shift(session, rotation=w["rotation"], person=w["ana"], index=0)
    make_shift(session, rotation=other, person=w["ana"], index=0)
    session.flush()
    headers = headers_for(session, w["manager"])
    params = {"start": "2026-11-23", "end": "2026-11-30T09:00:00Z"}
    rows = list(
        csv.DictReader(
            io.StringIO(client.get(URL, params={**params, "format": "csv"}, headers=headers).text)
        )
    )
    assert {(r["rotation"], r["email"], r["hours"]) for r in rows} == {
        ("tier-2", "ana@example.com", "168.0"),
        ("tier-3", "ana@example.com", "168.0"),
    }
    across = client.get(URL, params={**params, "across": "true"}, headers=headers).json()
    [line] = across["lines"]
    assert line["rotation"] is None and line["hours"] == 336 and line["shifts"] == 2


def test_queries_do_not_grow_with_the_shifts(client: TestClient, session: Session) -> None:
    w = _world(session)
    headers = headers_for(session, w["manager"])
    params = {"start": "2026-09-01", "end": "2027-03-01", "rotation": "tier-2"}

    def queries() -> int:
        with count_statements(session) as counted:
            assert client.get(URL, params=params, headers=headers).status_code == 200
        return len(counted.selects)

    make_shift(session, rotation=w["rotation"], person=w["ana"], index=0)
    session.flush()
    queries()  # warm up: a token's first use is recorded once
    few = queries()
    for index in range(1, 20):
        make_shift(
            session, rotation=w["rotation"], person=(w["bo"], w["cy"])[index % 2], index=index
        )
    session.flush()
    assert queries() == few


def test_bad_ranges_and_strangers_are_refused(client: TestClient, session: Session) -> None:
    w = _world(session)
    headers = headers_for(session, w["manager"])
    backwards = client.get(
        URL, params={"start": "2026-12-01", "end": "2026-11-01"}, headers=headers
    )
    assert backwards.status_code == 422 and "after start" in backwards.json()["detail"]
    too_long = client.get(URL, params={"start": "2020-01-01", "end": "2026-01-01"}, headers=headers)
    assert too_long.status_code == 422 and "at most" in too_long.json()["detail"]
    member = client.get(URL, headers=headers_for(session, w["ana"]))
    assert member.status_code == 403
    unknown = client.get(URL, params={"rotation": "nope"}, headers=headers)
    assert unknown.status_code == 404


def test_the_page_shows_the_table_and_a_bar_per_person(
    client: TestClient, session: Session
) -> None:
    w = _world(session)
    w["manager"].password_hash = hash_password("manager password")  # type: ignore[union-attr]
    make_shift(session, rotation=w["rotation"], person=w["ana"], index=0)
    session.flush()
    assert login(client, "mia@example.com", "manager password")[0] == 303
    page = client.get("/reports/hours", params={"start": "2026-11-23", "end": "2026-11-30"})
    assert page.status_code == 200
    assert "Ana de Vries" in page.text and "bar-weekday" in page.text
    bad = client.get("/reports/hours", params={"start": "2026-12-01", "end": "2026-11-01"})
    assert bad.status_code == 422 and "text/html" in bad.headers["content-type"]
    assert "end must be after start" in bad.text and 'aria-label="Main"' in bad.text
