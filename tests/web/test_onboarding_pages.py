"""My checklist, someone else's checklist, and the readiness dashboard, through forms."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import FixedClock
from onboarding.models import Acknowledgement
from tests.factories import (
    auth,
    make_ack,
    make_card,
    make_card_set,
    make_requirement,
    make_rotation,
    make_shift,
    make_token,
)
from tests.querycount import count_statements
from tests.web.onboarding_world import (
    ESCAPED,
    EVIL,
    World,
    log_in,
    person,
    post,
    section,
    state,
)


@pytest.fixture
def world(session: Session, clock: FixedClock) -> World:
    return World(session, clock.now())


# --- my checklist -----------------------------------------------------------------------------


def test_checklist_lists_the_cards_of_each_assigned_shift(
    client: TestClient, session: Session, world: World
) -> None:
    make_ack(session, person=world.ana, card=world.cards[0])
    log_in(client, world.ana)

    page = client.get("/me/checklist")

    assert page.status_code == 200
    text = page.text
    assert "<h1>My checklist</h1>" in text
    block = section(text, f"shift-{world.next_week.id}")
    assert "Tier two" in block and "Mon 30 Nov 2026, 05:00" in block
    assert "Due" in block and "Sat 28 Nov 2026, 05:00" in block and "(America/New_York)" in block
    assert "1 of 3 cards read" in block and "Pending" in block
    read, refund, _issues = world.cards
    first = section(block, f"card-{world.next_week.id}-{read.id}")
    assert "Read" in first and "Mark as read" not in first
    assert "Tue 24 Nov 2026, 05:00" in first  # when it was read, in Ana's zone
    second = section(block, f"card-{world.next_week.id}-{refund.id}")
    assert f'href="{refund.url}" target="_blank" rel="noopener noreferrer"' in second
    assert "version 3" in second and "Not read yet" in second
    assert '<input type="hidden" name="version" value="3">' in second
    assert f'<input type="hidden" name="card_id" value="{refund.id}">' in second
    assert "Mark as read" in second
    # Shifts whose reading is not yet assigned, and other people's, are not listed.
    assert f'id="shift-{world.later.id}"' not in text
    assert f'id="shift-{world.bo_week.id}"' not in text


def test_acknowledging_a_card_records_it_at_the_version_shown(
    client: TestClient, session: Session, world: World
) -> None:
    log_in(client, world.ana)
    refund = world.cards[1]

    response = post(client, "/me/checklist/ack", {"card_id": str(refund.id), "version": "3"})

    assert response.status_code == 303 and response.headers["location"] == "/me/checklist"
    ack = session.scalars(
        select(Acknowledgement).where(Acknowledgement.person_id == world.ana.id)
    ).one()
    assert (ack.card_id, ack.card_version) == (refund.id, 3)
    page = client.get("/me/checklist").text
    assert "Marked “Refund policy” (version 3) as read." in page
    item = section(page, f"card-{world.next_week.id}-{refund.id}")
    assert "Mark as read" not in item and "badge-ready" in item


def test_reading_every_card_makes_the_shift_ready(
    client: TestClient, session: Session, world: World
) -> None:
    log_in(client, world.ana)
    for card in world.cards:
        response = post(
            client, "/me/checklist/ack", {"card_id": str(card.id), "version": str(card.version)}
        )
        assert response.status_code == 303
    block = section(client.get("/me/checklist").text, f"shift-{world.next_week.id}")
    assert "3 of 3 cards read" in block and "Ready" in block
    assert "Mark as read" not in block


@pytest.mark.parametrize(
    ("shift_field", "suffix"),
    [("own", "#card-{shift}-{card}"), ("javascript:alert(1)", ""), ("", "")],
)
def test_marking_returns_to_the_card_by_its_anchor(
    client: TestClient, session: Session, world: World, shift_field: str, suffix: str
) -> None:
    log_in(client, world.ana)
    card, shift = world.cards[0], world.next_week
    form = {"card_id": str(card.id), "version": str(card.version)}
    form["shift_id"] = str(shift.id) if shift_field == "own" else shift_field
    response = post(client, "/me/checklist/ack", form)
    assert response.status_code == 303
    assert response.headers["location"] == "/me/checklist" + suffix.format(
        shift=shift.id, card=card.id
    )


def test_a_card_that_changed_since_the_page_was_opened_is_refused_clearly(
    client: TestClient, session: Session, world: World
) -> None:
    log_in(client, world.ana)
    refund = world.cards[1]
    refund.version = 4  # a major change while Ana was reading version 3
    session.flush()
    before = state(session)

    response = post(client, "/me/checklist/ack", {"card_id": str(refund.id), "version": "3"})

    assert response.status_code == 409
    text = html.unescape(response.text)
    assert (
        "“Refund policy” changed while you were reading it: you had version 3 open, "
        "it is now version 4." in text
    )
    assert 'role="alert"' in response.text
    assert '<input type="hidden" name="version" value="4">' in response.text
    assert state(session) == before


def test_a_major_change_shows_as_changed_since_you_read(
    client: TestClient, session: Session, world: World, clock: FixedClock
) -> None:
    escalating = world.cards[0]
    make_ack(session, person=world.ana, card=escalating, at=clock.now() - timedelta(days=3))
    escalating.version = 2
    session.flush()
    log_in(client, world.ana)
    block = section(client.get("/me/checklist").text, f"shift-{world.next_week.id}")
    item = section(block, f"card-{world.next_week.id}-{escalating.id}")
    assert "Changed since you read v1" in item
    assert "Mark as read" in item
    assert "1 card changed since you last read it." in block
    assert "0 of 3 cards read" in block


def test_an_overdue_shift_is_highlighted(
    client: TestClient, session: Session, world: World, clock: FixedClock
) -> None:
    clock.advance(timedelta(days=5))  # past the due time, two days before the shift
    log_in(client, world.ana)
    text = client.get("/me/checklist").text
    assert 'class="card checklist-shift checklist-overdue"' in text
    assert '<span class="due overdue">Was due' in text
    assert "Overdue" in section(text, f"shift-{world.next_week.id}")


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ({"card_id": "", "version": "1"}, 422),
        ({"card_id": "abc", "version": "1"}, 422),
        ({"card_id": "1", "version": "-1"}, 422),
        ({"card_id": str(2**70), "version": "1"}, 422),
        ({"card_id": "²", "version": "1"}, 422),
        ({"card_id": "1", "version": "9" * 5000}, 422),
        ({"card_id": "999999", "version": "1"}, 404),
    ],
)
def test_bad_acknowledgement_forms_are_refused_and_change_nothing(
    client: TestClient, session: Session, world: World, form: dict[str, str], code: int
) -> None:
    log_in(client, world.ana)
    before = state(session)
    response = post(client, "/me/checklist/ack", form)
    assert response.status_code == code
    assert "text/html" in response.headers["content-type"]
    assert state(session) == before


def test_an_archived_card_cannot_be_acknowledged(
    client: TestClient, session: Session, world: World
) -> None:
    archived = make_card(session, title="Old process", archived=True)
    log_in(client, world.ana)
    before = state(session)
    response = post(client, "/me/checklist/ack", {"card_id": str(archived.id), "version": "1"})
    assert response.status_code == 409
    assert "archived and no longer needs reading" in response.text
    assert state(session) == before


def test_acknowledging_needs_the_forms_token(
    client: TestClient, session: Session, world: World
) -> None:
    log_in(client, world.ana)
    before = state(session)
    response = client.post(
        "/me/checklist/ack",
        data={"card_id": str(world.cards[0].id), "version": "1"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert state(session) == before


def test_nothing_to_read_says_so(client: TestClient, session: Session) -> None:
    log_in(client, person(session))
    text = client.get("/me/checklist").text
    assert "Nothing to read right now" in text
    assert "Mark as read" not in text


def test_checklist_needs_a_login(client: TestClient) -> None:
    response = client.get("/me/checklist", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/me/checklist"


# --- someone else's checklist -----------------------------------------------------------------


def test_a_manager_sees_a_members_checklist_read_only(
    client: TestClient, session: Session, world: World
) -> None:
    make_ack(session, person=world.ana, card=world.cards[0], version=1)
    world.cards[0].version = 2
    session.flush()
    log_in(client, world.mia)
    page = client.get(f"/people/{world.ana.id}/checklist")
    assert page.status_code == 200
    assert "<h1>Checklist of Ana Engineer</h1>" in page.text
    assert "(Europe/Amsterdam)" in page.text  # the viewer's zone
    assert "Mon 30 Nov 2026, 11:00" in page.text
    assert "Changed since they read v1" in page.text
    assert "Mark as read" not in page.text and "/me/checklist/ack" not in page.text


def test_who_may_see_someone_elses_checklist(
    client: TestClient, session: Session, world: World
) -> None:
    log_in(client, world.ada)
    assert client.get(f"/people/{world.ana.id}/checklist").status_code == 200
    for outsider in (world.bo, world.cy):  # a fellow member; a manager of another rotation
        log_in(client, outsider)
        refused = client.get(f"/people/{world.ana.id}/checklist")
        assert refused.status_code == 403
        assert "text/html" in refused.headers["content-type"]
    log_in(client, world.ana)
    own = client.get(f"/people/{world.ana.id}/checklist", follow_redirects=False)
    assert own.status_code == 303 and own.headers["location"] == "/me/checklist"
    for unknown in (999999, 2**40):
        assert client.get(f"/people/{unknown}/checklist").status_code == 404


def test_checklist_runs_a_fixed_number_of_queries(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    world = World(session, clock.now())
    log_in(client, world.ana)

    def statements_for(extra: int) -> int:
        cards = [make_card(session) for _ in range(extra)]
        rotation = make_rotation(session, members=[world.ana])
        make_requirement(session, rotation=rotation, card_set=make_card_set(session, cards=cards))
        for n in range(extra):
            make_shift(
                session,
                rotation=rotation,
                start=clock.now() + timedelta(days=1 + n, hours=1),
                person=world.ana,
                days=1,
            )
        for card in cards[::2]:
            make_ack(session, person=world.ana, card=card)
        session.flush()
        with count_statements(session) as log:
            assert client.get("/me/checklist").status_code == 200
        return len(log)

    assert statements_for(2) == statements_for(12)


# --- the readiness dashboard ------------------------------------------------------------------


def test_a_manager_sees_every_upcoming_shift_of_their_rotations(
    client: TestClient, session: Session, world: World
) -> None:
    make_ack(session, person=world.ana, card=world.cards[0])
    log_in(client, world.mia)

    page = client.get("/readiness")

    assert page.status_code == 200
    text = page.text
    row = section(text, f"shift-{world.next_week.id}")
    assert "Tier two" in row and "Mon 30 Nov, 11:00" in row  # Amsterdam time
    assert f'<a href="/people/{world.ana.id}/checklist">Ana Engineer</a>' in row
    assert "badge-pending" in row and "1 of 3 cards read" in row
    assert 'max="3" value="1"' in row
    assert "Refund policy" in row and "Known issues" in row and "Escalating" not in row
    assert "Sat 28 Nov, 11:00" in row
    assert "Due (Europe/Amsterdam)" in text
    gap = section(text, f"shift-{world.gap.id}")
    assert "Nobody" in gap and "badge-uncovered" in gap
    # Shift in six weeks: in the default eight-week window; billing is not Mia's.
    assert f'id="shift-{world.later.id}"' in text
    assert f'id="shift-{world.billing_day.id}"' not in text
    assert "Pending: 3" in text and "Uncovered: 1" in text
    assert '<option value="billing"' not in text


def test_admins_see_every_rotation_and_members_are_refused(
    client: TestClient, session: Session, world: World
) -> None:
    log_in(client, world.ada)
    text = client.get("/readiness").text
    assert f'id="shift-{world.billing_day.id}"' in text and f'id="shift-{world.gap.id}"' in text
    log_in(client, world.ana)
    for path in ("/readiness", "/readiness.csv"):
        refused = client.get(path)
        assert refused.status_code == 403
        assert "text/html" in refused.headers["content-type"]
        assert "Only admins and rotation managers" in refused.text


def test_filters_by_rotation_status_and_weeks(
    client: TestClient, session: Session, world: World
) -> None:
    log_in(client, world.ada)
    billing = client.get("/readiness?rotation=billing").text
    assert f'id="shift-{world.billing_day.id}"' in billing
    assert f'id="shift-{world.next_week.id}"' not in billing
    assert '<option value="billing" selected>' in billing
    uncovered = client.get("/readiness?status=uncovered").text
    assert f'id="shift-{world.gap.id}"' in uncovered
    assert f'id="shift-{world.next_week.id}"' not in uncovered
    assert "Pending: 3" in uncovered  # the counts stay those of every status
    two_weeks = client.get("/readiness?weeks=2").text
    assert f'id="shift-{world.bo_week.id}"' in two_weeks
    assert f'id="shift-{world.later.id}"' not in two_weeks
    assert '<option value="2" selected>' in two_weeks
    assert 'href="/readiness.csv?weeks=2"' in two_weeks
    assert "Clear filters" in two_weeks
    empty = client.get("/readiness?rotation=billing&status=overdue").text
    assert "No shifts match these filters." in empty


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("status=late", 422),
        ("status=%3Cscript%3E", 422),
        ("weeks=0", 422),
        ("weeks=105", 422),
        ("weeks=soon", 422),
        ("page=0", 422),
        ("page=" + "9" * 5000, 422),
        ("weeks=%C2%B2", 422),
        ("rotation=nope", 404),
    ],
)
def test_bad_filters_are_a_clear_error_page(
    client: TestClient, session: Session, world: World, query: str, code: int
) -> None:
    log_in(client, world.mia)
    response = client.get(f"/readiness?{query}")
    assert response.status_code == code
    assert "text/html" in response.headers["content-type"]
    assert "<script>" not in response.text.split("</header>", 1)[1]


def test_a_manager_cannot_filter_on_a_rotation_they_do_not_manage(
    client: TestClient, session: Session, world: World
) -> None:
    log_in(client, world.mia)
    assert client.get("/readiness?rotation=billing").status_code == 403
    assert client.get("/readiness.csv?rotation=billing").status_code == 403


def test_csv_export_is_the_apis_report(client: TestClient, session: Session, world: World) -> None:
    log_in(client, world.mia)
    page_csv = client.get("/readiness.csv?rotation=tier2")
    assert page_csv.status_code == 200
    assert page_csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in page_csv.headers["content-disposition"]
    api_csv = client.get(
        "/api/v1/readiness?rotation=tier2&format=csv",
        headers=auth(make_token(session, world.mia)),
    )
    assert page_csv.text == api_csv.text
    assert page_csv.text.count("\n") == 5  # header and four shifts
    uncovered = client.get("/readiness.csv?status=uncovered").text.strip().splitlines()
    assert len(uncovered) == 2 and uncovered[1].endswith(",uncovered")


def test_dashboard_escapes_names_and_titles(
    client: TestClient, session: Session, world: World
) -> None:
    world.ana.name = EVIL
    world.cards[1].title = EVIL
    world.tier2.name = EVIL
    session.flush()
    log_in(client, world.mia)
    for path in ("/readiness", f"/people/{world.ana.id}/checklist"):
        page = client.get(path)
        assert page.status_code == 200
        assert EVIL not in page.text
        assert ESCAPED in page.text


def test_dashboard_runs_a_fixed_number_of_queries(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    world = World(session, clock.now())
    log_in(client, world.mia)

    def statements_for(extra: int) -> int:
        cards = [make_card(session) for _ in range(extra)]
        card_set = make_card_set(session, cards=cards)
        for _ in range(extra):
            member = person(session)
            rotation = make_rotation(session, managers=[world.mia], members=[member])
            make_requirement(session, rotation=rotation, card_set=card_set)
            for week in range(3):
                make_shift(
                    session,
                    rotation=rotation,
                    start=clock.now() + timedelta(weeks=week, hours=2),
                    person=member,
                )
            make_ack(session, person=member, card=cards[0])
        session.flush()
        with count_statements(session) as log:
            assert client.get("/readiness").status_code == 200
        return len(log)

    assert statements_for(2) == statements_for(10)
