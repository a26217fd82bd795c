"""The readiness page says when the Slack app skips someone who has no Slack account."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from core.clock import FixedClock
from onboarding.slack.models import SlackIdentity
from tests.slack.world import SlackWorld
from tests.web.rotation_page_helpers import log_in, person


def test_someone_without_slack_carries_a_note_on_the_readiness_page(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    world = SlackWorld(session)
    session.add(
        SlackIdentity(
            person_id=world.ana.id,
            slack_user_id=None,
            checked_at=clock.now(),
            note="No Slack account uses ana@example.com; Slack messages are skipped.",
        )
    )
    session.add(SlackIdentity(person_id=world.bo.id, slack_user_id="U0BO", checked_at=clock.now()))
    session.flush()
    log_in(client, person(session, is_admin=True))

    page = client.get("/readiness").text

    assert page.count("No Slack account uses") == 1
    assert "No Slack account uses ana@example.com; Slack messages are skipped." in page
