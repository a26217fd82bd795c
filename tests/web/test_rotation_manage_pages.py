"""The manage page: settings with a preview, members, reading, overrides, rebalance."""

from __future__ import annotations

import html
import re
from itertools import pairwise

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from onboarding.models import RotationRequirement
from rotation import members as roster
from rotation.models import Rotation
from tests.conftest import DEFAULT_NOW
from tests.factories import make_card, make_card_set, make_scheduled_rotation
from tests.probes import fingerprint, live_shifts
from tests.querycount import count_statements
from tests.web.rotation_page_helpers import MANAGE, log_in, managed, person, post


def test_members_see_no_manage_controls_and_get_403s(client: TestClient, session: Session) -> None:
    rotation, _manager, (ana,) = managed(session, "Ana")
    log_in(client, ana)
    assert "/manage" not in client.get("/rotations/tier-two").text
    page = client.get(MANAGE)
    assert page.status_code == 403
    assert "text/html" in page.headers["content-type"]
    shift = live_shifts(session, rotation)[-1]
    before = fingerprint(session)
    for path, data in [
        ("/settings", {"name": "Mine", "version": "1"}),
        ("/members", {"action": "remove", "person_id": ana.id}),
        ("/requirements", {}),
        ("/override", {"shift_id": shift.id, "person_id": ana.id}),
        ("/rebalance", {"from_date": "2026-12-01"}),
    ]:
        response = post(client, MANAGE + path, data)
        assert response.status_code == 403, path
        assert "text/html" in response.headers["content-type"]
    assert fingerprint(session) == before


def test_manager_sees_every_section(client: TestClient, session: Session) -> None:
    _rotation, manager, _people = managed(session, "Ana", "Sam")
    log_in(client, manager)
    assert 'href="/rotations/tier-two/manage"' in client.get("/rotations/tier-two").text
    page = client.get(MANAGE)
    assert page.status_code == 200
    headings = re.findall(r"<h(\d)", page.text)
    assert headings[0] == "1" and all(int(b) - int(a) <= 1 for a, b in pairwise(headings))
    for anchor in ("settings", "members", "requirements", "override", "swaps", "rebalance"):
        assert f'id="{anchor}"' in page.text
    # Every field has a label.
    for field_id in re.findall(r'<(?:input|select|textarea) id="([^"]+)"', page.text):
        assert f'for="{field_id}"' in page.text, field_id


def test_members_are_added_reordered_and_removed(client: TestClient, session: Session) -> None:
    rotation, manager, (ana, sam) = managed(session, "Ana", "Sam")
    priya = person(session, name="Priya", email="priya@example.com")
    lucas = person(session, name="Lucas", email="lucas@example.com")
    log_in(client, manager)
    assert '<option value="priya@example.com">' in client.get(MANAGE).text

    def change(**data: object) -> int:
        return post(client, MANAGE + "/members", data).status_code

    def order() -> list[int]:
        session.expire_all()
        return [m.person_id for m in roster.list_members(session, rotation=rotation)]

    assert change(action="add", email="Priya@example.com") == 303
    assert order() == [ana.id, sam.id, priya.id]
    refused = post(
        client,
        MANAGE + "/members",
        {"action": "add", "email": "lucas@example.com priya@example.com"},
    )
    assert refused.status_code == 422 and "Priya is already a member." in refused.text
    assert 'value="lucas@example.com priya@example.com"' in refused.text
    assert order() == [ana.id, sam.id, priya.id]
    assert change(action="up", person_id=priya.id) == 303
    assert order() == [ana.id, priya.id, sam.id]
    assert change(action="down", person_id=ana.id) == 303
    assert order() == [priya.id, ana.id, sam.id]
    assert change(action="remove", person_id=sam.id) == 303
    assert order() == [priya.id, ana.id]
    ahead = [s for s in live_shifts(session, rotation) if s.start > DEFAULT_NOW]
    assert ahead and sam.id not in {s.person_id for s in ahead}
    page = client.get(MANAGE).text
    assert "Removed Sam; their shifts ahead went to the others." in page
    assert 'aria-label="Move up Priya"' not in page  # first: no "up"
    assert 'aria-label="Move down Ana"' not in page  # last: no "down"
    assert change(action="add", email="lucas@example.com, sam@nowhere.example") == 422
    assert order() == [priya.id, ana.id]
    assert lucas.id not in order()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"action": "add", "email": "ghost@example.com"},
            "Nobody with the email ghost@example.com",
        ),
        ({"action": "add", "email": ""}, "Enter the email of the person to add."),
        ({"action": "up", "person_id": "FIRST"}, "is already first"),
        ({"action": "remove", "person_id": "999999"}, "not a member of this rotation"),
        ({"action": "shuffle"}, "Choose to add, remove or move a member."),
    ],
)
def test_bad_member_changes_are_refused(
    client: TestClient, session: Session, data: dict[str, str], message: str
) -> None:
    _rotation, manager, (ana, _sam) = managed(session, "Ana", "Sam")
    if data.get("person_id") == "FIRST":
        data = {**data, "person_id": str(ana.id)}
    log_in(client, manager)
    before = fingerprint(session)
    response = post(client, MANAGE + "/members", data)
    assert response.status_code == 422
    assert message in response.text
    assert 'id="member-error"' in response.text
    assert fingerprint(session) == before


def requirements_of(session: Session, rotation: Rotation) -> list[tuple[int, int, int]]:
    session.expire_all()
    return [
        (r.card_set_id, r.assign_days_before, r.due_days_before)
        for r in session.scalars(
            select(RotationRequirement)
            .where(RotationRequirement.rotation_id == rotation.id)
            .order_by(RotationRequirement.id)
        )
    ]


def test_required_reading_is_added_changed_and_removed(
    client: TestClient, session: Session
) -> None:
    rotation, manager, _people = managed(session, "Ana")
    basics = make_card_set(session, name="Basics", cards=[make_card(session)])
    billing = make_card_set(session, name="Billing", cards=[make_card(session)])
    log_in(client, manager)
    assert ">Basics (1 card)</option>" in client.get(MANAGE).text

    add = {"new_card_set_id": basics.id, "new_assign_days_before": "14", "new_due_days_before": "3"}
    assert post(client, MANAGE + "/requirements", add).status_code == 303
    assert requirements_of(session, rotation) == [(basics.id, 14, 3)]
    change = {
        "card_set_id": [basics.id],
        "assign_days_before": ["10"],
        "due_days_before": ["1"],
        "new_card_set_id": billing.id,
    }
    assert post(client, MANAGE + "/requirements", change).status_code == 303
    assert requirements_of(session, rotation) == [(basics.id, 10, 1), (billing.id, 21, 2)]
    page = client.get(MANAGE).text
    assert ">Billing (1 card)</option>" not in page  # already required: not offered again
    drop = {
        "card_set_id": [basics.id, billing.id],
        "assign_days_before": ["10", "21"],
        "due_days_before": ["1", "2"],
        "remove": [basics.id],
    }
    assert post(client, MANAGE + "/requirements", drop).status_code == 303
    assert requirements_of(session, rotation) == [(billing.id, 21, 2)]

    before = fingerprint(session), requirements_of(session, rotation)
    bad = {
        "card_set_id": [billing.id],
        "assign_days_before": ["1"],
        "due_days_before": ["5"],
        "new_card_set_id": basics.id,
        "new_assign_days_before": "soon",
    }
    response = post(client, MANAGE + "/requirements", bad)
    assert response.status_code == 422
    text = html.unescape(response.text)
    assert "due_days_before cannot exceed assign_days_before" in text
    assert "Enter whole numbers of days." in text
    assert 'value="soon"' in response.text and 'value="5"' in response.text
    assert (fingerprint(session), requirements_of(session, rotation)) == before


def test_a_manager_overrides_a_whole_shift_and_part_of_one(
    client: TestClient, session: Session
) -> None:
    rotation, manager, (ana, sam) = managed(session, "Ana", "Sam")
    log_in(client, manager)
    ahead = [s for s in live_shifts(session, rotation) if s.start > DEFAULT_NOW]
    anas = next(s for s in ahead if s.person_id == ana.id)
    page = client.get(f"{MANAGE}?shift={anas.id}").text
    assert f'<option value="{anas.id}" selected>' in page

    whole = post(client, MANAGE + "/override", {"shift_id": anas.id, "person_id": sam.id})
    assert whole.status_code == 303
    session.expire_all()
    assert (anas.person_id, anas.kind) == (sam.id, "override")

    sams = next(s for s in ahead if s.person_id == sam.id and s.id != anas.id)
    # 12:00 to 18:00 in Amsterdam (the manager's zone) on the shift's first day: 11:00 to 17:00 UTC.
    day = sams.start.date().isoformat()
    part = post(
        client,
        MANAGE + "/override",
        {"shift_id": sams.id, "person_id": ana.id, "start": f"{day}T12:00", "end": f"{day}T18:00"},
    )
    assert part.status_code == 303
    pieces = [s for s in live_shifts(session, rotation) if s.index == sams.index]
    assert [(p.person_id, p.start.hour, p.end.hour) for p in pieces] == [
        (sam.id, 9, 11),
        (ana.id, 11, 17),
        (sam.id, 17, 9),
    ]
    assert "it was split" in client.get(MANAGE).text


def test_bad_overrides_are_refused(client: TestClient, session: Session) -> None:
    rotation, manager, (ana, sam) = managed(session, "Ana", "Sam")
    other = make_scheduled_rotation(session, name="Other", members=[person(session)])
    log_in(client, manager)
    shift = next(s for s in live_shifts(session, rotation) if s.start > DEFAULT_NOW)
    foreign = live_shifts(session, other)[-1]
    before = fingerprint(session)
    cases = [
        ({"shift_id": foreign.id, "person_id": ana.id}, 422, "Choose a shift of this rotation."),
        ({"shift_id": shift.id, "person_id": "x"}, 422, "Choose who takes the shift."),
        ({"shift_id": shift.id, "person_id": sam.id, "start": "tomorrow"}, 422,
         "Enter a date and time (Europe/Amsterdam)"),
        ({"shift_id": shift.id, "person_id": sam.id, "start": "2030-01-01T10:00"}, 422,
         "override window must lie within the shift"),
    ]  # fmt: skip
    for data, code, message in cases:
        response = post(client, MANAGE + "/override", data)
        assert response.status_code == code, data
        assert message in html.unescape(response.text), data
        assert fingerprint(session) == before
    kept = post(client, MANAGE + "/override", {"shift_id": shift.id, "person_id": sam.id,
                                               "start": "tomorrow"})  # fmt: skip
    assert 'value="tomorrow"' in kept.text


def test_rebalance_from_a_date(client: TestClient, session: Session) -> None:
    rotation, manager, (ana, sam) = managed(session, "Ana", "Sam")
    log_in(client, manager)
    # Sam takes a run of Ana's shifts, so the schedule ahead is lopsided.
    for shift in [s for s in live_shifts(session, rotation) if s.start > DEFAULT_NOW][:6]:
        shift.person_id = sam.id
    session.flush()
    page = client.get(MANAGE).text
    assert 'name="from_date" type="date" value="2026-11-24"' in page
    response = post(client, MANAGE + "/rebalance", {"from_date": "2026-12-01"})
    assert response.status_code == 303
    assert "shifts changed hands." in client.get(MANAGE).text
    ahead = [s for s in live_shifts(session, rotation) if s.start > DEFAULT_NOW]
    assert (
        abs(sum(s.person_id == ana.id for s in ahead) - sum(s.person_id == sam.id for s in ahead))
        <= 1
    )
    before = fingerprint(session)
    bad = post(client, MANAGE + "/rebalance", {"from_date": "next week"})
    assert bad.status_code == 422
    assert "Enter the first day to rebalance from as a date." in bad.text
    assert fingerprint(session) == before


def test_an_archived_rotation_cannot_change(client: TestClient, session: Session) -> None:
    rotation, manager, (ana,) = managed(session, "Ana")
    rotation.archived = True
    session.flush()
    # An archived rotation grants its managers nothing; admins still see it, read-only.
    log_in(client, manager)
    assert client.get(MANAGE).status_code == 403
    log_in(client, person(session, name="Ada", is_admin=True))
    page = client.get(MANAGE).text
    assert "nothing can change any more" in page
    assert 'action="/rotations/tier-two/manage/settings"' not in page
    before = fingerprint(session)
    response = post(client, MANAGE + "/members", {"action": "remove", "person_id": ana.id})
    assert response.status_code == 409
    assert "rotation is archived" in response.text
    assert fingerprint(session) == before


def test_the_manage_page_runs_a_fixed_number_of_queries(
    client: TestClient, session: Session
) -> None:
    manager = person(session)
    log_in(client, manager)

    def statements_for(size: int) -> int:
        people = [person(session) for _ in range(size)]
        slug = f"size-{size}"
        make_scheduled_rotation(session, name=slug, members=people, manager_ids=[manager.id])
        for _ in range(size):
            make_card_set(session, cards=[make_card(session)])
        session.flush()
        with count_statements(session) as statements:
            assert client.get(f"/rotations/{slug}/manage").status_code == 200
        return len(statements)

    assert statements_for(2) == statements_for(10)
