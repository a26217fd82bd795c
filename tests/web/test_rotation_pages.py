"""The rotations list and the rotation page: calendar, who is on, fairness, swaps."""

from __future__ import annotations

import html
import re
from collections import Counter
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import AuditEvent
from rotation.models import Rotation, SwapRequest
from tests.conftest import DEFAULT_NOW
from tests.factories import (
    make_ack,
    make_card,
    make_card_set,
    make_requirement,
    make_scheduled_rotation,
)
from tests.probes import fingerprint, live_shifts
from tests.querycount import count_statements
from tests.web.rotation_page_helpers import (
    ESCAPED,
    EVIL,
    entry_of,
    log_in,
    person,
    post,
    shift_anchors,
)

AMSTERDAM = "Europe/Amsterdam"


# --- the list -------------------------------------------------------------------------------


def test_pages_need_a_login(client: TestClient) -> None:
    for path in ("/rotations", "/rotations/tier-two", "/rotations/tier-two/manage", "/time-off"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == f"/login?next={path}"


def test_list_shows_cadence_who_is_on_and_the_next_handoff(
    client: TestClient, session: Session
) -> None:
    ana, sam = person(session, name="Ana"), person(session, name="Sam")
    weekly = make_scheduled_rotation(session, name="Tier two", members=[ana, sam])
    make_scheduled_rotation(session, name="Founders day", shift_days=28, people_per_shift=2)
    viewer = person(session, timezone=AMSTERDAM)
    log_in(client, viewer)

    page = client.get("/rotations")

    assert page.status_code == 200
    row = re.search(r'<tr id="rotation-tier-two">.*?</tr>', page.text, re.S)
    assert row is not None
    on_now = live_shifts(session, weekly)[0]
    assert on_now.start <= DEFAULT_NOW < on_now.end and on_now.person_id == ana.id
    assert "Weekly, Mondays at 09:00 (UTC)" in row.group(0)
    assert "Ana" in row.group(0)
    # The next handoff is Monday 30 Nov 09:00 UTC: 10:00 in Amsterdam, and the column says so.
    assert "Mon 30 Nov 2026, 10:00" in row.group(0)
    assert "Next handoff (Europe/Amsterdam)" in page.text
    founders = re.search(r'<tr id="rotation-founders-day">.*?</tr>', page.text, re.S)
    assert founders is not None
    assert "Every 4 weeks, Mondays at 09:00, 2 people per shift (UTC)" in founders.group(0)
    assert "Uncovered" in founders.group(0)
    # Members get no form to add rotations.
    assert "New rotation" not in page.text
    assert 'action="/rotations"' not in page.text


def test_admin_creates_a_rotation_and_bad_input_keeps_the_form(
    client: TestClient, session: Session
) -> None:
    manager = person(session, email="grace@example.com")
    admin = person(session, is_admin=True)
    log_in(client, admin)
    page = client.get("/rotations").text
    assert 'for="new-name"' in page and 'for="new-timezone"' in page
    before = fingerprint(session)

    bad = post(
        client,
        "/rotations",
        {
            "name": EVIL,
            "timezone": "Mars/Base",
            "start_date": "2026-13-01",
            "shift_days": "0",
            "handoff_time": "9am",
            "managers": "nobody@example.com",
        },
    )

    assert bad.status_code == 422
    text = html.unescape(bad.text)
    assert 'unknown timezone "Mars/Base"' in text
    assert "Enter a date as YYYY-MM-DD." in text
    assert 'handoff_time must be "HH:MM"' in text
    assert "greater than or equal to 1" in text
    assert "Nobody with the email nobody@example.com uses allhands." in text
    assert ESCAPED in bad.text and EVIL not in bad.text  # the name is kept, escaped
    assert 'value="Mars/Base"' in bad.text
    assert fingerprint(session) == before

    ok = post(
        client,
        "/rotations",
        {
            "name": "Tier two",
            "timezone": AMSTERDAM,
            "start_date": "2026-11-23",
            "handoff_time": "09:00",
            "shift_days": "7",
            "people_per_shift": "1",
            "horizon_days": "90",
            "managers": "Grace@example.com",
        },
    )
    assert ok.status_code == 303
    assert ok.headers["location"] == "/rotations/tier-two/manage#members"
    rotation = session.scalars(select(Rotation).where(Rotation.slug == "tier-two")).one()
    assert (rotation.timezone, rotation.horizon_days) == (AMSTERDAM, 90)
    assert "rotation.create" in session.scalars(select(AuditEvent.action)).all()
    manage = client.get(ok.headers["location"])
    assert "Created “Tier two”." in manage.text
    assert "grace@example.com" in manage.text and manager.email == "grace@example.com"

    taken = post(client, "/rotations", {"name": "Tier two", "timezone": "UTC",
                                        "start_date": "2026-11-23"})  # fmt: skip
    assert taken.status_code == 409
    assert "already exists" in taken.text


def test_members_cannot_create_rotations(client: TestClient, session: Session) -> None:
    log_in(client, person(session))
    before = fingerprint(session)
    response = post(
        client, "/rotations", {"name": "Mine", "timezone": "UTC", "start_date": "2026-11-23"}
    )
    assert response.status_code == 403
    assert "text/html" in response.headers["content-type"]
    assert fingerprint(session) == before


def test_a_form_without_csrf_is_refused(client: TestClient, session: Session) -> None:
    log_in(client, person(session, is_admin=True))
    before = fingerprint(session)
    response = client.post(
        "/rotations", data={"name": "X", "timezone": "UTC", "start_date": "2026-11-23"}
    )
    assert response.status_code == 403
    assert fingerprint(session) == before


# --- the calendar ---------------------------------------------------------------------------


def test_rotation_page_shows_the_month_with_an_anchor_per_shift(
    client: TestClient, session: Session
) -> None:
    ana, sam = person(session, name="Ana"), person(session, name="Sam")
    rotation = make_scheduled_rotation(session, members=[ana, sam])
    viewer = person(session, timezone=AMSTERDAM)
    log_in(client, viewer)

    page = client.get("/rotations/tier-two")

    assert page.status_code == 200
    text = page.text
    assert "Schedule for November 2026" in text
    shifts = live_shifts(session, rotation)
    # Every shift touching the visible weeks (26 Oct … 6 Dec) has exactly one anchor.
    shown = [s for s in shifts if s.start.date() <= DEFAULT_NOW.date() + timedelta(days=12)]
    assert sorted(shift_anchors(text)) == sorted(s.id for s in shown)
    current = next(s for s in shifts if s.start <= DEFAULT_NOW < s.end)
    # Handoff 09:00 UTC on Monday is 10:00 in the viewer's Amsterdam.
    assert '<span class="time">10:00</span>' in entry_of(text, current.id)
    assert "Times in Europe/Amsterdam" in text
    assert 'aria-current="date"' in text
    on_call = re.search(r'id="on-call-heading".*?</section>', text, re.S)
    assert on_call is not None and "Ana" in on_call.group(0)
    assert "Mon 30 Nov 2026, 10:00" in on_call.group(0)
    # Month navigation both ways, also without JavaScript.
    assert 'href="/rotations/tier-two?month=2026-10#schedule-heading"' in text
    assert 'href="/rotations/tier-two?month=2026-12#schedule-heading"' in text
    december = client.get("/rotations/tier-two?month=2026-12").text
    assert "Schedule for December 2026" in december
    assert shift_anchors(december) and set(shift_anchors(december)) != set(shift_anchors(text))


def test_a_feed_link_to_a_later_shift_opens_its_month(client: TestClient, session: Session) -> None:
    rotation = make_scheduled_rotation(session, members=[person(session)])
    log_in(client, person(session))
    later = next(s for s in live_shifts(session, rotation) if s.start.month == 2)
    page = client.get(f"/rotations/tier-two?shift={later.id}").text
    assert "Schedule for February 2027" in page
    assert later.id in shift_anchors(page)


@pytest.mark.parametrize("query", ["month=2026-13", "month=nope", "month=1800-01", "shift=x"])
def test_bad_month_or_shift_is_a_clear_422_page(
    client: TestClient, session: Session, query: str
) -> None:
    make_scheduled_rotation(session)
    log_in(client, person(session))
    response = client.get(f"/rotations/tier-two?{query}")
    assert response.status_code == 422
    assert "text/html" in response.headers["content-type"]


def test_unknown_rotation_is_a_404_page(client: TestClient, session: Session) -> None:
    log_in(client, person(session))
    response = client.get("/rotations/nope")
    assert response.status_code == 404
    assert "There is no such rotation." in response.text


def test_uncovered_shifts_are_clearly_marked(client: TestClient, session: Session) -> None:
    rotation = make_scheduled_rotation(
        session, people_per_shift=2, members=[person(session, name="Solo")]
    )
    log_in(client, person(session))
    text = client.get("/rotations/tier-two").text
    shifts = [s for s in live_shifts(session, rotation) if s.id in shift_anchors(text)]
    uncovered = [s for s in shifts if s.person_id is None]
    assert uncovered
    for shift in uncovered:
        entry = entry_of(text, shift.id)
        assert "uncovered" in entry.split(">")[0] and "<strong>Uncovered</strong>" in entry
    covered = next(s for s in shifts if s.person_id is not None)
    assert "uncovered" not in entry_of(text, covered.id).split(">")[0]


def test_readiness_colours_the_shifts_ahead(client: TestClient, session: Session) -> None:
    ana, sam = person(session, name="Ana"), person(session, name="Sam")
    rotation = make_scheduled_rotation(session, members=[ana, sam])
    card = make_card(session)
    make_requirement(
        session, rotation=rotation, card_set=make_card_set(session, cards=[card]),
        assign_days_before=60, due_days_before=2,
    )  # fmt: skip
    make_ack(session, person=sam, card=card)
    log_in(client, ana)
    text = client.get("/rotations/tier-two").text
    ahead = [s for s in live_shifts(session, rotation) if s.id in shift_anchors(text)]
    for shift in ahead:
        head = entry_of(text, shift.id).split(">")[0]
        if shift.end <= DEFAULT_NOW:
            assert "status-" not in head
        elif shift.person_id == sam.id:
            assert "status-ready" in head
        else:
            assert "status-pending" in head or "status-overdue" in head
    assert any(s.person_id == sam.id and s.start > DEFAULT_NOW for s in ahead)


def test_fairness_chart_counts_every_members_shifts(client: TestClient, session: Session) -> None:
    people = [person(session, name=name) for name in ("Ana", "Sam", "Priya")]
    rotation = make_scheduled_rotation(session, members=people)
    log_in(client, people[0])
    text = client.get("/rotations/tier-two").text
    counts = Counter(s.person_id for s in live_shifts(session, rotation))
    chart = re.search(r'<svg class="bar-chart".*?</svg>', text, re.S)
    assert chart is not None
    labels = re.findall(r'class="bar-label"[^>]*>([^<]+)<', chart.group(0))
    values = [int(v) for v in re.findall(r'class="bar-value"[^>]*>(\d+)<', chart.group(0))]
    assert labels == ["Ana", "Sam", "Priya"]
    assert values == [counts[p.id] for p in people]
    assert max(values) - min(values) <= 1
    title = f"Shifts per person: Ana: {counts[people[0].id]}; Sam: {counts[people[1].id]}"
    assert title in chart.group(0)


def test_names_and_rotation_text_are_escaped(client: TestClient, session: Session) -> None:
    evil = person(session, name=EVIL)
    make_scheduled_rotation(session, name=EVIL, slug="evil", description=EVIL, members=[evil])
    log_in(client, person(session, is_admin=True))
    for path in ("/rotations", "/rotations/evil", "/rotations/evil/manage"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert EVIL not in page.text, path
        assert ESCAPED in page.text, path


def test_the_rotation_page_runs_a_fixed_number_of_queries(
    client: TestClient, session: Session
) -> None:
    viewer = person(session)
    log_in(client, viewer)

    def statements_for(size: int) -> int:
        members = [viewer] + [person(session) for _ in range(size)]
        slug = f"size-{size}"
        rotation = make_scheduled_rotation(session, name=slug, members=members, people_per_shift=2)
        card_set = make_card_set(session, cards=[make_card(session) for _ in range(size)])
        make_requirement(session, rotation=rotation, card_set=card_set, assign_days_before=60)
        session.flush()
        ahead = [s for s in live_shifts(session, rotation) if s.start > DEFAULT_NOW]
        mine = next(s for s in ahead if s.person_id == viewer.id)
        theirs = [s for s in ahead if s.person_id not in (None, viewer.id)][:size]
        for other in theirs:
            session.add(
                SwapRequest(
                    shift_id=other.id, requester_id=other.person_id,
                    counterpart_person_id=viewer.id, shift_sequence=other.sequence,
                    status="pending", created_at=DEFAULT_NOW, updated_at=DEFAULT_NOW,
                )
            )  # fmt: skip
        assert mine
        session.flush()
        with count_statements(session) as statements:
            assert client.get(f"/rotations/{slug}").status_code == 200
        return len(statements)

    assert statements_for(2) == statements_for(12)


def test_the_list_runs_a_fixed_number_of_queries(client: TestClient, session: Session) -> None:
    log_in(client, person(session))

    def statements_for(count: int) -> int:
        for n in range(count):
            make_scheduled_rotation(session, name=f"r{count}-{n}", members=[person(session)])
        session.flush()
        with count_statements(session) as statements:
            assert client.get("/rotations").status_code == 200
        return len(statements)

    assert statements_for(1) == statements_for(6)
