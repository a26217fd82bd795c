"""The home page: next shifts with reading progress, swaps to answer, the subscribe section."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import FixedClock
from core.models import AuditEvent
from rotation import swaps
from rotation.models import Shift, SwapRequest
from tests.factories import make_ack, make_rotation, make_shift
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
from tests.web.test_auth_pages import csrf_from

FEED_FIELD = re.compile(r'id="feed-url" type="text" readonly value="http://testserver([^"]+)"')


@pytest.fixture
def world(session: Session, clock: FixedClock) -> World:
    return World(session, clock.now())


def offer(session: Session, world: World, clock: FixedClock) -> SwapRequest:
    """Bo asks Ana to cover his tier-2 week."""
    return swaps.request_swap(
        session,
        requester=world.bo,
        shift_id=world.bo_week.id,
        counterpart_shift_id=None,
        counterpart_person_id=world.ana.id,
        now=clock.now(),
    )


def test_next_shifts_with_progress_in_my_timezone(
    client: TestClient, session: Session, world: World, clock: FixedClock
) -> None:
    make_ack(session, person=world.ana, card=world.cards[0])
    free = make_rotation(session, name="Office hours", members=[world.ana])
    free_shift = make_shift(
        session, rotation=free, start=clock.now() + timedelta(days=16), person=world.ana
    )
    log_in(client, world.ana)

    page = client.get("/")

    assert page.status_code == 200
    text = page.text
    assert "<h1>Hello, Ana Engineer</h1>" in text
    assert "<strong>America/New_York</strong>" in text
    assert "Starts (America/New_York)" in text
    row = section(text, f"shift-{world.next_week.id}")
    assert "Tier two" in row
    # 10:00 UTC on Monday 30 November is 05:00 in New York.
    assert "Mon 30 Nov 2026, 05:00" in row and "Mon 07 Dec 2026, 05:00" in row
    assert "Scheduled" in row
    assert (
        f'<progress id="progress-{world.next_week.id}" class="progress-pending" max="3" value="1">'
        in row
    )
    assert f'<label for="progress-{world.next_week.id}">1 of 3 cards read</label>' in row
    assert "Pending" in row and "Sat 28 Nov 2026, 05:00" in row  # due two days before
    assert f'href="/me/checklist#shift-{world.next_week.id}"' in row
    later = section(text, f"shift-{world.later.id}")
    assert "Reading opens" in later
    assert "Mon 14 Dec 2026" in later  # 21 days before it, as a local date
    assert "Nothing to read" in section(text, f"shift-{free_shift.id}")
    # Bo's shift and the uncovered one are not Ana's.
    assert f'id="shift-{world.bo_week.id}"' not in text
    assert f'id="shift-{world.gap.id}"' not in text
    subscribe = section(text, "subscribe")
    assert "Subscribe to your calendar" in subscribe
    feed_url = re.search(r'id="feed-url" type="text" readonly value="([^"]+)"', subscribe)
    assert feed_url, subscribe
    assert feed_url.group(1).startswith("http://testserver/feeds/")
    assert 'href="webcal://testserver/feeds/' in subscribe
    # The link shown is a working feed of Ana's shifts.
    feed = client.get(feed_url.group(1).removeprefix("http://testserver"))
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    assert world.next_week.uid in feed.text


def test_reset_link_revokes_the_old_feed_url(
    client: TestClient, session: Session, world: World
) -> None:
    log_in(client, world.ana)
    page = client.get("/").text
    old = FEED_FIELD.search(page)
    assert old
    assert client.get(old.group(1)).status_code == 200
    refused = client.post("/me/calendar/reset", data={})
    assert refused.status_code == 403
    reset = client.post(
        "/me/calendar/reset", data={"csrf_token": csrf_from(page)}, follow_redirects=True
    )
    assert "Your calendar link was reset." in reset.text
    new = re.search(
        r'id="feed-url" type="text" readonly value="http://testserver([^"]+)"', reset.text
    )
    assert new and new.group(1) != old.group(1)
    assert client.get(old.group(1)).status_code == 404
    assert client.get(new.group(1)).status_code == 200


def test_a_shift_under_way_is_marked_and_a_ready_one_says_so(
    client: TestClient, session: Session, world: World, clock: FixedClock
) -> None:
    for card in world.cards:
        make_ack(session, person=world.ana, card=card)
    clock.advance(timedelta(days=7))  # next week's shift is under way
    log_in(client, world.ana)
    row = section(client.get("/").text, f"shift-{world.next_week.id}")
    assert "On now" in row
    assert "3 of 3 cards read" in row and "Ready" in row
    assert "Read now" not in row


def test_someone_without_shifts_is_told_so(client: TestClient, session: Session) -> None:
    log_in(client, person(session, name="New Hire"))
    page = client.get("/").text
    assert "You have no shifts in the next 26 weeks." in page
    assert "Swap requests waiting" not in page


def test_navigation_shows_manager_pages_only_to_managers_and_admins(
    client: TestClient, session: Session, world: World
) -> None:
    log_in(client, world.ana)
    member_nav = client.get("/").text
    assert 'href="/me/checklist"' in member_nav
    assert 'href="/readiness"' not in member_nav and 'href="/card-sets"' not in member_nav
    assert '<a href="/" aria-current="page">Home</a>' in member_nav
    for who in (world.mia, world.ada):
        log_in(client, who)
        nav = client.get("/").text
        assert 'href="/readiness"' in nav and 'href="/card-sets"' in nav
        assert "See the readiness of the rotations you manage" in nav


# --- swaps ----------------------------------------------------------------------------------


def test_a_swap_request_is_shown_and_accepting_it_takes_the_shift(
    client: TestClient, session: Session, world: World, clock: FixedClock
) -> None:
    swap = offer(session, world, clock)
    log_in(client, world.ana)
    block = section(client.get("/").text, f"swap-{swap.id}")
    assert "Bo Builder" in block and "asks you to cover their shift" in block
    assert "Tier two" in block and "Mon 07 Dec 2026, 05:00" in block
    assert f'action="/swaps/{swap.id}/accept"' in block
    assert f'action="/swaps/{swap.id}/decline"' in block

    response = post(client, f"/swaps/{swap.id}/accept")

    assert response.status_code == 303 and response.headers["location"] == "/"
    session.expire_all()
    shift = session.get(Shift, world.bo_week.id)
    assert shift is not None and shift.person_id == world.ana.id and shift.kind == "swap"
    assert session.get(SwapRequest, swap.id).status == "accepted"  # type: ignore[union-attr]
    assert "swap.accepted" in session.scalars(select(AuditEvent.action)).all()
    after = client.get("/").text
    assert (
        "Swap accepted: the Tier two shift from Mon 07 Dec 2026, 05:00 (America/New_York) "
        "is yours now." in html.unescape(after)
    )
    assert f'id="swap-{swap.id}"' not in after
    assert f'id="shift-{world.bo_week.id}"' in after  # now one of Ana's next shifts


def test_declining_and_withdrawing(
    client: TestClient, session: Session, world: World, clock: FixedClock
) -> None:
    declined = offer(session, world, clock)
    log_in(client, world.ana)
    assert post(client, f"/swaps/{declined.id}/decline").status_code == 303
    session.expire_all()
    assert session.get(SwapRequest, declined.id).status == "declined"  # type: ignore[union-attr]
    assert "Swap declined: nothing changes" in client.get("/").text

    withdrawn = offer(session, world, clock)
    log_in(client, world.bo)
    mine = section(client.get("/").text, f"swap-{withdrawn.id}")
    assert "waiting for Ana Engineer to answer" in mine
    assert post(client, f"/swaps/{withdrawn.id}/cancel").status_code == 303
    session.expire_all()
    assert session.get(SwapRequest, withdrawn.id).status == "cancelled"  # type: ignore[union-attr]
    assert "Swap request withdrawn: you keep the Tier two shift" in client.get("/").text
    assert session.get(Shift, world.bo_week.id).person_id == world.bo.id  # type: ignore[union-attr]


def test_an_accepted_swap_awaiting_approval_shows_for_both(
    client: TestClient, session: Session, world: World, clock: FixedClock
) -> None:
    world.tier2.swap_requires_approval = True
    session.flush()
    swap = offer(session, world, clock)
    log_in(client, world.ana)
    assert post(client, f"/swaps/{swap.id}/accept").status_code == 303
    page = html.unescape(client.get("/").text)
    assert "A manager of Tier two must approve it" in page
    assert "You accepted Bo Builder's swap" in page
    session.expire_all()
    assert session.get(Shift, world.bo_week.id).person_id == world.bo.id  # type: ignore[union-attr]
    log_in(client, world.bo)
    assert "accepted, waiting for a manager's approval" in client.get("/").text


def test_a_swap_whose_shift_changed_is_refused_with_the_reason_and_nothing_changes(
    client: TestClient, session: Session, world: World, clock: FixedClock
) -> None:
    swap = offer(session, world, clock)
    world.bo_week.sequence += 1  # a manager's override since the request
    session.flush()
    log_in(client, world.ana)
    before = state(session)

    response = post(client, f"/swaps/{swap.id}/accept")

    assert response.status_code == 409
    assert "text/html" in response.headers["content-type"]
    assert "A shift in this swap changed since it was requested; ask again." in response.text
    assert 'role="alert"' in response.text
    assert state(session) == before


@pytest.mark.parametrize("action", ["accept", "decline", "cancel"])
def test_swaps_one_is_not_in_are_refused(
    client: TestClient, session: Session, world: World, clock: FixedClock, action: str
) -> None:
    swap = offer(session, world, clock)
    log_in(client, world.cy)
    before = state(session)
    response = post(client, f"/swaps/{swap.id}/{action}")
    assert response.status_code == 403
    assert "text/html" in response.headers["content-type"]
    assert state(session) == before


def test_the_wrong_person_in_a_swap_is_refused(
    client: TestClient, session: Session, world: World, clock: FixedClock
) -> None:
    swap = offer(session, world, clock)
    log_in(client, world.bo)  # the requester cannot accept his own offer
    before = state(session)
    response = post(client, f"/swaps/{swap.id}/accept")
    assert response.status_code == 403
    assert "Only the counterpart can accept this swap." in response.text
    log_in(client, world.ana)  # nor can the counterpart withdraw it
    assert post(client, f"/swaps/{swap.id}/cancel").status_code == 403
    assert state(session) == before


def test_unknown_swaps_and_forms_without_a_token(
    client: TestClient, session: Session, world: World, clock: FixedClock
) -> None:
    swap = offer(session, world, clock)
    log_in(client, world.ana)
    before = state(session)
    for swap_id in (999999, 2**40, 0):
        response = post(client, f"/swaps/{swap_id}/accept")
        assert response.status_code == 404, swap_id
        assert "There is no such swap request." in response.text
    forged = client.post(f"/swaps/{swap.id}/accept", follow_redirects=False)
    assert forged.status_code == 403
    assert state(session) == before


def test_names_are_escaped(client: TestClient, session: Session, clock: FixedClock) -> None:
    world = World(session, clock.now())
    world.ana.name = EVIL
    world.bo.name = EVIL
    world.tier2.name = EVIL
    session.flush()
    offer(session, world, clock)
    log_in(client, world.ana)
    page = client.get("/")
    assert page.status_code == 200
    assert EVIL not in page.text
    assert ESCAPED in page.text


def test_home_runs_a_fixed_number_of_queries(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    world = World(session, clock.now())
    log_in(client, world.ana)

    def statements_for(extra: int) -> int:
        for n in range(extra):
            rotation = make_rotation(session, members=[world.ana])
            make_shift(
                session,
                rotation=rotation,
                start=clock.now() + timedelta(days=30 + 8 * n),
                person=world.ana,
            )
            theirs = make_shift(
                session,
                rotation=rotation,
                start=clock.now() + timedelta(days=200 + 8 * n),
                person=world.bo,
            )
            swaps.request_swap(
                session,
                requester=world.bo,
                shift_id=theirs.id,
                counterpart_shift_id=None,
                counterpart_person_id=world.ana.id,
                now=clock.now(),
            )
        session.flush()
        with count_statements(session) as log:
            assert client.get("/").status_code == 200
        return len(log)

    assert statements_for(1) == statements_for(6)
