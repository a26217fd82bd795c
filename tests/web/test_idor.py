"""Requests that name someone else where only oneself is allowed change nothing."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import feed_tokens
from core.models import AuditEvent
from core.settings import Settings
from onboarding.models import Acknowledgement
from tests.factories import auth
from tests.web.authz import MEMBER, OK, Case, build_world, outcomes, send


def test_acknowledging_for_someone_else_is_refused(
    client: TestClient, session: Session, settings: Settings
) -> None:
    world = build_world(session, secret_key=settings.secret_key)
    headers = auth(world.tokens[MEMBER])
    for body in (
        {"card_id": world.card.id, "person_id": world.other_member.id},
        {"card_id": world.card.id, "person": world.other_member.email},
    ):
        response = client.post("/api/v1/acks", headers=headers, json=body)
        assert response.status_code == 422, response.text
    assert session.scalar(select(func.count()).select_from(Acknowledgement)) == 0
    # The plain request acknowledges for the caller, and only for them.
    mine = client.post("/api/v1/acks", headers=headers, json={"card_id": world.card.id})
    assert mine.status_code == 201, mine.text
    owners = set(session.scalars(select(Acknowledgement.person_id)))
    assert owners == {world.person(MEMBER).id}


def test_rotating_a_feed_token_changes_only_ones_own(
    client: TestClient, session: Session, settings: Settings
) -> None:
    world = build_world(session, secret_key=settings.secret_key)
    mine_before = feed_tokens.token_for(secret_key=world.secret_key, person=world.person(MEMBER))
    theirs = feed_tokens.token_for(secret_key=world.secret_key, person=world.other_member)
    assert client.get(f"/feeds/{theirs}.ics").status_code == 200
    headers = auth(world.tokens[MEMBER])
    # There is no way to name someone else: an extra field is refused, the path has no id.
    attempt = client.post(
        "/api/v1/me/calendar/rotate", headers=headers, json={"person_id": world.other_member.id}
    )
    assert attempt.status_code < 500
    assert client.get(f"/feeds/{theirs}.ics").status_code == 200
    rotated = client.post("/api/v1/me/calendar/rotate", headers=headers)
    assert rotated.status_code == 200, rotated.text
    assert mine_before not in rotated.text
    assert client.get(f"/feeds/{mine_before}.ics").status_code == 404
    assert client.get(f"/feeds/{theirs}.ics").status_code == 200
    session.refresh(world.other_member)
    assert world.other_member.feed_token_version == 0


def test_answering_a_swap_from_the_wrong_side_is_refused_on_the_pages(
    client: TestClient, session: Session, settings: Settings
) -> None:
    world = build_world(session, secret_key=settings.secret_key)
    slug = world.rotation.slug
    mine, theirs = world.swap_from_member, world.swap_to_member
    case = Case(outcomes(anonymous=OK, member=OK, other_manager=OK, manager=OK, admin=OK))
    # The member asked for ``mine`` (only the other side answers it) and was asked ``theirs``
    # (only the other side withdraws it).
    for path in (
        f"/swaps/{mine.id}/accept",
        f"/swaps/{mine.id}/decline",
        f"/swaps/{theirs.id}/cancel",
        f"/rotations/{slug}/swaps/{mine.id}/accept",
        f"/rotations/{slug}/swaps/{mine.id}/decline",
        f"/rotations/{slug}/swaps/{theirs.id}/cancel",
        f"/rotations/{slug}/swaps/{world.accepted_swap.id}/approve",
    ):
        response = send(client, world, MEMBER, "POST", path, case)
        assert response.status_code == 403, (path, response.text[:300])
    session.expire_all()
    assert mine.status == theirs.status == "pending"
    assert world.accepted_swap.status == "accepted"
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == 0
