"""The cover page: colleagues ranked ready-first with their standing, one button each; the
readiness page filters at-risk shifts."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import FixedClock
from rotation.models import Rotation, Shift, SwapRequest
from tests.onboarding.test_at_risk import DUE
from tests.onboarding.test_at_risk import _world as world
from tests.web.rotation_page_helpers import log_in, post


def names_in_order(page: str) -> list[str]:
    return [
        n.strip() for n in re.findall(r"<th scope=\"row\" data-label=\"Colleague\">([^<]+)", page)
    ]


def rotation_slug(session: Session, shift: Shift) -> str:
    rotation = session.get(Rotation, shift.rotation_id)
    assert rotation is not None
    return rotation.slug


def test_the_holder_sees_colleagues_ready_first_and_offers_cover(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    w = world(session)
    holder, ana, bo = w.holder, w.ana, w.bo
    clock.set(DUE - timedelta(minutes=20))
    log_in(client, holder)
    page = client.get(f"/shifts/{w.shift.id}/cover").text
    assert names_in_order(page) == ["Ana", "Bo"]
    assert "Ready" in page and "Not ready" in page
    assert f"Offer cover to {ana.name}" in page
    # The link from an at-risk notice puts the suggested person first.
    suggested = client.get(f"/shifts/{w.shift.id}/cover?to={bo.id}").text
    assert names_in_order(suggested) == ["Bo", "Ana"]
    asked = post(
        client,
        "/rotations/" + rotation_slug(session, w.shift) + "/swaps",
        {"kind": "cover", "shift_id": w.shift.id, "counterpart_person_id": ana.id},
    )
    assert asked.status_code == 303
    swap = session.scalars(select(SwapRequest)).one()
    assert (swap.counterpart_person_id, swap.status) == (ana.id, "pending")


def test_a_manager_gives_the_shift_and_others_are_refused(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    w = world(session)
    clock.set(DUE - timedelta(minutes=20))
    log_in(client, w.mia)
    page = client.get(f"/shifts/{w.shift.id}/cover").text
    assert "Give the shift to Ana" in page
    log_in(client, w.bo)
    assert client.get(f"/shifts/{w.shift.id}/cover").status_code == 403
    assert client.get("/shifts/999999/cover").status_code == 404
    assert client.get(f"/shifts/{w.shift.id}/cover?to=x").status_code in (403, 404)


def test_the_readiness_page_filters_at_risk_shifts(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    w = world(session)
    clock.set(DUE - timedelta(minutes=20))
    log_in(client, w.mia)
    page = html.unescape(client.get("/readiness?status=at_risk").text)
    assert "At risk: 1" in page
    assert f'id="shift-{w.shift.id}"' in page
    assert f"/shifts/{w.shift.id}/cover" in page
