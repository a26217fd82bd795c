"""Requests that name someone else where only oneself is allowed change nothing."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.settings import Settings
from onboarding.models import Acknowledgement
from tests.factories import auth
from tests.web.authz import MEMBER, build_world


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
