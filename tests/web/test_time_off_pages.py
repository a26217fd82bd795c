"""The time-off page: one's own days off, a manager's for their members, what moved."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from rotation.models import TimeOff
from tests.conftest import DEFAULT_NOW
from tests.factories import make_scheduled_rotation
from tests.probes import fingerprint, live_shifts
from tests.querycount import count_statements
from tests.web.rotation_page_helpers import ESCAPED, EVIL, log_in, person, post


def test_adding_my_time_off_shows_the_shifts_that_moved(
    client: TestClient, session: Session
) -> None:
    ana = person(session, name="Ana", timezone="Europe/Amsterdam")
    sam = person(session, name="Sam")
    rotation = make_scheduled_rotation(session, members=[ana, sam])
    anas = next(
        s for s in live_shifts(session, rotation) if s.person_id == ana.id and s.start > DEFAULT_NOW
    )
    log_in(client, ana)
    page = client.get("/time-off").text
    assert 'for="off-start"' in page and 'for="off-end"' in page and 'for="off-reason"' in page
    assert "First day off (Europe/Amsterdam)" in page

    day = anas.start.date()
    response = post(client, "/time-off", {"start": day.isoformat(), "end": day.isoformat(),
                                          "reason": "Dentist"}, page="/time-off")  # fmt: skip

    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/time-off?reassigned=")
    session.expire_all()
    assert session.get(type(anas), anas.id).person_id == sam.id  # type: ignore[union-attr]
    after = client.get(location).text
    assert "Added your time off" in after and "1 shift went to someone else" in after
    moved = re.search(r'id="reassigned-heading".*?</section>', after, re.S)
    assert moved is not None
    assert f'href="/rotations/tier-two#shift-{anas.id}"' in moved.group(0)
    assert "Sam" in moved.group(0)
    row = session.scalars(select(TimeOff)).one()
    assert "Dentist" in after and f"/time-off/{row.id}/delete" in after

    removed = post(client, f"/time-off/{row.id}/delete", {}, page="/time-off")
    assert removed.status_code == 303 and removed.headers["location"] == "/time-off"
    assert session.scalars(select(TimeOff)).first() is None
    assert "Removed the time off" in client.get("/time-off").text


def test_bad_dates_keep_the_form_and_add_nothing(client: TestClient, session: Session) -> None:
    log_in(client, person(session))
    before = fingerprint(session)
    for data, message in [
        ({"start": "2026-12-10", "end": "2026-12-01"}, "time off cannot end before it starts"),
        ({"start": "soon", "end": "2026-12-01"}, "Enter a date as YYYY-MM-DD."),
        ({"start": "2026-12-01", "end": "", "reason": "x" * 201}, "Enter a date as YYYY-MM-DD."),
    ]:
        response = post(client, "/time-off", data, page="/time-off")
        assert response.status_code == 422, data
        assert message in html.unescape(response.text), data
        assert f'value="{data["start"]}"' in response.text
        assert fingerprint(session) == before


def test_a_manager_handles_their_members_time_off(client: TestClient, session: Session) -> None:
    manager = person(session, name="Grace")
    ana, outsider = person(session, name="Ana"), person(session, name="Olga")
    make_scheduled_rotation(session, members=[ana], manager_ids=[manager.id])
    log_in(client, manager)
    page = client.get("/time-off").text
    assert f'<option value="{ana.id}">Ana</option>' in page
    assert "Olga" not in page
    theirs = client.get(f"/time-off?person={ana.id}")
    assert theirs.status_code == 200 and "Time off: Ana" in theirs.text
    added = post(client, "/time-off", {"person_id": ana.id, "start": "2027-01-04",
                                       "end": "2027-01-08"}, page="/time-off")  # fmt: skip
    assert added.status_code == 303
    assert added.headers["location"].startswith(f"/time-off?person={ana.id}")
    assert session.scalars(select(TimeOff.person_id)).all() == [ana.id]

    before = fingerprint(session)
    assert client.get(f"/time-off?person={outsider.id}").status_code == 403
    refused = post(client, "/time-off", {"person_id": outsider.id, "start": "2027-01-04",
                                         "end": "2027-01-04"}, page="/time-off")  # fmt: skip
    assert refused.status_code == 403 and "text/html" in refused.headers["content-type"]
    assert client.get("/time-off?person=999999").status_code == 404
    assert fingerprint(session) == before


def test_members_cannot_touch_someone_elses_time_off(client: TestClient, session: Session) -> None:
    ana, sam = person(session), person(session)
    row = TimeOff(person_id=sam.id, start=DEFAULT_NOW.date(), end=DEFAULT_NOW.date(),
                  reason="", created_at=DEFAULT_NOW)  # fmt: skip
    session.add(row)
    session.flush()
    log_in(client, ana)
    page = client.get("/time-off").text
    assert 'id="whose"' not in page  # nobody to pick for
    before = fingerprint(session)
    assert post(client, f"/time-off/{row.id}/delete", {}, page="/time-off").status_code == 403
    assert post(client, "/time-off/999999/delete", {}, page="/time-off").status_code == 404
    assert fingerprint(session) == before


def test_names_are_escaped_and_queries_fixed(client: TestClient, session: Session) -> None:
    manager = person(session)
    log_in(client, manager)

    def statements_for(size: int) -> int:
        people = [person(session, name=EVIL) for _ in range(size)]
        make_scheduled_rotation(session, name=f"r{size}", members=people, manager_ids=[manager.id])
        session.flush()
        with count_statements(session) as statements:
            page = client.get(f"/time-off?person={people[0].id}")
        assert page.status_code == 200
        assert EVIL not in page.text and ESCAPED in page.text
        return len(statements)

    assert statements_for(2) == statements_for(8)
