"""Swaps from the rotation page: offer a shift in trade or for cover, answer, approve."""

from __future__ import annotations

import html
import re
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Person
from rotation import time_off
from rotation.models import Rotation, Shift, SwapRequest
from tests.conftest import DEFAULT_NOW
from tests.factories import make_scheduled_rotation
from tests.probes import fingerprint, live_shifts
from tests.web.rotation_page_helpers import entry_of, log_in, person, post


def ahead_of(session: Session, rotation: Rotation, who: Person) -> list[Shift]:
    return [
        s for s in live_shifts(session, rotation) if s.person_id == who.id and s.start > DEFAULT_NOW
    ]


def setup_trio(session: Session, **fields: object) -> tuple[Rotation, Person, Person, Person]:
    ana, sam, priya = (person(session, name=n) for n in ("Ana", "Sam", "Priya"))
    rotation = make_scheduled_rotation(session, members=[ana, sam, priya], **fields)  # type: ignore[arg-type]
    return rotation, ana, sam, priya


def test_an_engineer_trades_and_the_counterpart_accepts(
    client: TestClient, session: Session
) -> None:
    rotation, ana, sam, _priya = setup_trio(session)
    mine, theirs = ahead_of(session, rotation, ana)[0], ahead_of(session, rotation, sam)[0]
    log_in(client, ana)
    page = client.get(f"/rotations/tier-two?swap_shift={mine.id}").text
    # The shift picked on the calendar comes preselected in both forms.
    assert page.count(f'<option value="{mine.id}" selected>') == 2
    assert 'for="trade-with"' in page and 'for="cover-person"' in page

    asked = post(
        client,
        "/rotations/tier-two/swaps",
        {"kind": "trade", "shift_id": mine.id, "counterpart_shift_id": theirs.id},
    )

    assert asked.status_code == 303
    assert asked.headers["location"] == "/rotations/tier-two#swaps"
    swap = session.scalars(select(SwapRequest)).one()
    assert (swap.status, swap.counterpart_person_id) == ("pending", sam.id)
    after = client.get("/rotations/tier-two").text
    assert "Asked Sam to trade shifts with you" in html.unescape(after)
    assert f"/swaps/{swap.id}/cancel" in after  # the requester may withdraw …
    assert f"/swaps/{swap.id}/accept" not in after  # … but not answer for Sam

    log_in(client, sam)
    page = client.get("/rotations/tier-two").text
    assert 'aria-label="Accept the swap from Ana"' in page
    accepted = post(client, f"/rotations/tier-two/swaps/{swap.id}/accept", {"back": "/x"})
    assert accepted.status_code == 303
    assert accepted.headers["location"] == "/rotations/tier-two#swaps"  # only its own pages
    session.expire_all()
    assert session.get(SwapRequest, swap.id).status == "accepted"  # type: ignore[union-attr]
    assert (session.get(Shift, mine.id).person_id, session.get(Shift, theirs.id).person_id) == (  # type: ignore[union-attr]
        sam.id,
        ana.id,
    )
    calendar = client.get(f"/rotations/tier-two?shift={mine.id}").text
    assert "Sam" in entry_of(calendar, mine.id) and "(swap)" in entry_of(calendar, mine.id)


def test_asking_for_cover_and_declining(client: TestClient, session: Session) -> None:
    rotation, ana, _sam, priya = setup_trio(session)
    mine = ahead_of(session, rotation, ana)[0]
    log_in(client, ana)
    asked = post(
        client,
        "/rotations/tier-two/swaps",
        {"kind": "cover", "shift_id": mine.id, "counterpart_person_id": priya.id},
    )
    assert asked.status_code == 303
    swap = session.scalars(select(SwapRequest)).one()
    assert swap.counterpart_shift_id is None
    log_in(client, priya)
    assert post(client, f"/rotations/tier-two/swaps/{swap.id}/decline", {}).status_code == 303
    session.expire_all()
    assert session.get(SwapRequest, swap.id).status == "declined"  # type: ignore[union-attr]
    assert session.get(Shift, mine.id).person_id == ana.id  # type: ignore[union-attr]
    assert (
        "Swap declined: nothing changes for the Tier two shift"
        in client.get("/rotations/tier-two").text
    )


def test_refused_requests_keep_the_choice_and_change_nothing(
    client: TestClient, session: Session
) -> None:
    rotation, ana, sam, _priya = setup_trio(session)
    other = make_scheduled_rotation(session, name="Other", members=[sam])
    mine, theirs = ahead_of(session, rotation, ana)[0], ahead_of(session, rotation, sam)[0]
    elsewhere = ahead_of(session, other, sam)[0]
    log_in(client, ana)
    before = fingerprint(session)

    cases = [
        ({"kind": "swap", "shift_id": mine.id}, 422, "Choose whether to trade"),
        ({"kind": "trade", "shift_id": "x"}, 422, "Choose one of your own shifts"),
        ({"kind": "trade", "shift_id": elsewhere.id}, 422, "Choose one of your own shifts"),
        ({"kind": "cover", "shift_id": mine.id}, 422, "Choose who you are asking to cover"),
        ({"kind": "trade", "shift_id": mine.id, "counterpart_shift_id": elsewhere.id}, 422,
         "only within one rotation"),
        ({"kind": "cover", "shift_id": mine.id, "counterpart_person_id": ana.id}, 422,
         "cannot swap a shift with yourself"),
    ]  # fmt: skip
    for data, code, message in cases:
        response = post(client, "/rotations/tier-two/swaps", data)
        assert response.status_code == code, data
        assert message in html.unescape(response.text), data
        assert fingerprint(session) == before
    kept = post(
        client,
        "/rotations/tier-two/swaps",
        {"kind": "cover", "shift_id": mine.id, "counterpart_person_id": ana.id},
    )
    assert f'<option value="{mine.id}" selected>' in kept.text

    # Offering someone else's shift is not allowed at all.
    refused = post(
        client,
        "/rotations/tier-two/swaps",
        {"kind": "cover", "shift_id": theirs.id, "counterpart_person_id": ana.id},
    )
    assert refused.status_code == 403
    assert "text/html" in refused.headers["content-type"]
    assert fingerprint(session) == before


def test_only_the_people_in_a_swap_answer_it(client: TestClient, session: Session) -> None:
    rotation, ana, sam, priya = setup_trio(session)
    mine = ahead_of(session, rotation, ana)[0]
    log_in(client, ana)
    post(
        client,
        "/rotations/tier-two/swaps",
        {"kind": "cover", "shift_id": mine.id, "counterpart_person_id": sam.id},
    )
    swap = session.scalars(select(SwapRequest)).one()
    make_scheduled_rotation(session, name="Else")
    before = fingerprint(session)
    # The requester cannot accept, a bystander cannot accept or cancel.
    assert post(client, f"/rotations/tier-two/swaps/{swap.id}/accept", {}).status_code == 403
    log_in(client, priya)
    page = client.get("/rotations/tier-two").text
    assert f"/swaps/{swap.id}/" not in page
    for answer in ("accept", "cancel", "approve"):
        response = post(client, f"/rotations/tier-two/swaps/{swap.id}/{answer}", {})
        assert response.status_code == 403, answer
    assert post(client, f"/rotations/tier-two/swaps/{swap.id}/maybe", {}).status_code == 404
    assert post(client, "/rotations/tier-two/swaps/999999/accept", {}).status_code == 404
    assert post(client, "/rotations/tier-two/swaps/abc/accept", {}).status_code == 404
    assert post(client, f"/rotations/else/swaps/{swap.id}/accept", {}).status_code == 404
    assert fingerprint(session) == before


def test_a_stale_answer_is_a_409_page(client: TestClient, session: Session) -> None:
    rotation, ana, sam, _priya = setup_trio(session)
    mine = ahead_of(session, rotation, ana)[0]
    log_in(client, ana)
    post(
        client,
        "/rotations/tier-two/swaps",
        {"kind": "cover", "shift_id": mine.id, "counterpart_person_id": sam.id},
    )
    swap = session.scalars(select(SwapRequest)).one()
    assert post(client, f"/rotations/tier-two/swaps/{swap.id}/cancel", {}).status_code == 303
    log_in(client, sam)
    before = fingerprint(session)
    response = post(client, f"/rotations/tier-two/swaps/{swap.id}/accept", {})
    assert response.status_code == 409
    assert "Swap is cancelled, not pending." in response.text
    assert "Schedule for" in response.text  # the rotation page, with the reason on top
    assert fingerprint(session) == before


def test_where_approval_is_needed_a_manager_approves(client: TestClient, session: Session) -> None:
    manager = person(session, name="Grace")
    rotation, ana, sam, _priya = setup_trio(
        session, swap_requires_approval=True, manager_ids=[manager.id]
    )
    mine = ahead_of(session, rotation, ana)[0]
    log_in(client, ana)
    post(
        client,
        "/rotations/tier-two/swaps",
        {"kind": "cover", "shift_id": mine.id, "counterpart_person_id": sam.id},
    )
    swap = session.scalars(select(SwapRequest)).one()
    log_in(client, sam)
    post(client, f"/rotations/tier-two/swaps/{swap.id}/accept", {})
    assert "awaiting approval" in client.get("/rotations/tier-two").text
    session.expire_all()
    assert session.get(Shift, mine.id).person_id == ana.id  # type: ignore[union-attr]

    log_in(client, manager)
    manage = client.get("/rotations/tier-two/manage").text
    assert 'aria-label="Approve the swap between Ana and Sam"' in manage
    approved = post(
        client,
        f"/rotations/tier-two/swaps/{swap.id}/approve",
        {"back": "/rotations/tier-two/manage#swaps"},
    )
    assert approved.status_code == 303
    assert approved.headers["location"] == "/rotations/tier-two/manage#swaps"
    session.expire_all()
    assert session.get(Shift, mine.id).person_id == sam.id  # type: ignore[union-attr]
    again = post(
        client,
        f"/rotations/tier-two/swaps/{swap.id}/approve",
        {"back": "/rotations/tier-two/manage#swaps"},
    )
    assert again.status_code == 409
    assert "Manage Tier two" in again.text  # refused on the page it came from


def test_a_refused_trade_is_not_offered_and_is_explained_by_the_form(
    client: TestClient, session: Session
) -> None:
    rotation, ana, sam, _priya = setup_trio(session)
    mine, theirs = ahead_of(session, rotation, ana)[0], ahead_of(session, rotation, sam)[0]
    first_day = mine.start.astimezone(ZoneInfo(ana.timezone)).date()
    time_off.add_time_off(
        session, person=sam, start=first_day, end=first_day, reason="Dentist",
        now=DEFAULT_NOW, actor=sam,
    )  # fmt: skip
    session.flush()
    log_in(client, ana)
    page = client.get("/rotations/tier-two").text
    # Sam's shift is offered only for Ana's shifts he is free for, not for this one.
    option = re.search(rf'<option value="{theirs.id}" data-for="([\d ]*)"', page)
    assert option and str(mine.id) not in option.group(1).split()

    refused = post(
        client,
        "/rotations/tier-two/swaps",
        {"kind": "trade", "shift_id": mine.id, "counterpart_shift_id": theirs.id},
    )

    assert refused.status_code == 409
    form = re.search(r'<form [^>]*id="trade-form".*?</form>', refused.text, re.S)
    assert form and 'action="/rotations/tier-two/swaps#trade-form"' in form.group(0)
    error = re.search(r'id="trade-error">([^<]*)<', form.group(0))
    assert error, "the error is inside the form that was sent"
    message = html.unescape(error.group(1))
    when = mine.start.astimezone(ZoneInfo(rotation.timezone))
    assert "Sam has time off then" in message and f"Ana's shift of {when:%a} {when.day}" in message
    assert not re.search(r"shift \d", message)  # never an internal id
    assert 'id="cover-error"' not in refused.text
