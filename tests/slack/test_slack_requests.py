"""``/slack/commands`` and ``/slack/interactions`` as Slack calls them: real signatures,
Slack users mapped to people by email, and the API's authorization."""

from __future__ import annotations

import json
from datetime import timedelta

from fastapi.testclient import TestClient
from slack_sdk.models.views import View
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import FixedClock
from onboarding.models import Acknowledgement
from rotation.models import SwapRequest
from tests.slack.fake_slack import FakeSlack
from tests.slack.requests import click, command, signed
from tests.slack.world import SlackWorld, assert_valid_blocks


def test_a_wrong_missing_or_old_signature_is_401(
    slack_client: TestClient, session: Session, slack: FakeSlack, clock: FixedClock
) -> None:
    SlackWorld(session, slack)
    fields = {"command": "/allhands", "text": "who", "user_id": "U0ANA"}
    wrong = signed(slack_client, "/slack/commands", fields, at=clock.now(), secret="not-it")
    old = signed(slack_client, "/slack/commands", fields, at=clock.now() - timedelta(minutes=6))
    unsigned = slack_client.post("/slack/commands", data=fields)
    payload = {"payload": json.dumps({"type": "block_actions", "user": {"id": "U0ANA"}})}
    wrong_click = signed(slack_client, "/slack/interactions", payload, at=clock.now(), secret="x")
    for response in (wrong, old, unsigned, wrong_click):
        assert response.status_code == 401, response.text
        assert "X-Slack-Signature" in response.json()["detail"]
    assert command(slack_client, "U0ANA", "who", at=clock.now()).status_code == 200


def test_who_names_the_person_on_now_and_next(
    slack_client: TestClient, session: Session, slack: FakeSlack, clock: FixedClock
) -> None:
    SlackWorld(session, slack)
    answer = command(slack_client, "U0ANA", "who tier-2", at=clock.now()).json()
    assert answer["response_type"] == "ephemeral"
    assert answer["text"] == (
        "*Tier 2*: Sam Okafor now; next Ana de Vries from Mon 30 Nov 09:00 (Europe/Amsterdam)"
    )
    assert_valid_blocks(answer["blocks"])
    # Ana was mapped by the email on her Slack profile, then cached.
    command(slack_client, "U0ANA", "next", at=clock.now())
    assert [c.args["user"] for c in slack.called("users.info")] == ["U0ANA"]
    unknown = command(slack_client, "U0ANA", "who night-desk", at=clock.now()).json()
    assert unknown["text"].startswith("No rotation is called night-desk")


def test_next_lists_my_shifts_and_a_stranger_is_told_to_get_linked(
    slack_client: TestClient, session: Session, slack: FakeSlack, clock: FixedClock
) -> None:
    SlackWorld(session, slack)
    mine = command(slack_client, "U0BO", "next", at=clock.now()).json()
    assert mine["text"] == ("*Tier 2*: Mon 07 Dec 09:00 to Mon 14 Dec 09:00 (Europe/Amsterdam)")
    stranger = command(slack_client, "U0NOBODY", "next", at=clock.now()).json()
    assert "not linked to anyone in allhands" in stranger["text"]


def test_checklist_buttons_mark_a_card_read_only_at_its_current_version(
    slack_client: TestClient, session: Session, slack: FakeSlack, clock: FixedClock
) -> None:
    world = SlackWorld(session, slack)
    answer = command(slack_client, "U0BO", "checklist", at=clock.now()).json()
    assert answer["text"] == "You have 2 card(s) to read."
    assert_valid_blocks(answer["blocks"])
    buttons = [b["accessory"] for b in answer["blocks"] if "accessory" in b]
    assert [b["value"] for b in buttons] == [f"{c.id}:1" for c in world.cards]

    done = click(slack_client, "U0BO", "ack_card", buttons[0]["value"], at=clock.now()).json()
    assert done["text"].startswith("Marked read:")
    [update] = slack.called("chat.update")
    assert update.args["channel"] == "D0DM" and update.args["ts"] == "1700000000.000001"

    world.cards[1].version = 2
    session.flush()
    stale = click(slack_client, "U0BO", "ack_card", buttons[1]["value"], at=clock.now()).json()
    assert "changed since (now version 2)" in stale["text"]
    assert world.cards[1].url in stale["text"]
    acked = session.scalars(
        select(Acknowledgement.card_id).where(Acknowledgement.person_id == world.bo.id)
    ).all()
    assert acked == [world.cards[0].id]


def test_swap_opens_a_modal_and_its_submission_offers_the_shift(
    slack_client: TestClient, session: Session, slack: FakeSlack, clock: FixedClock
) -> None:
    world = SlackWorld(session, slack)
    assert command(slack_client, "U0ANA", "swap", at=clock.now()).json() == {}
    [opened] = slack.called("views.open")
    view = opened.args["view"]
    assert View(**view).to_dict() == view  # a valid modal
    options = view["blocks"][0]["element"]["options"]
    assert options[0]["value"] == str(world.shift_ana.id)

    submitted = signed(
        slack_client,
        "/slack/interactions",
        {"payload": json.dumps(_submission(str(world.shift_ana.id), "U0BO"))},
        at=clock.now(),
    )
    assert submitted.status_code == 200 and submitted.json() == {}
    swap = session.scalars(select(SwapRequest)).one()
    assert (swap.requester_id, swap.counterpart_person_id, swap.status) == (
        world.ana.id,
        world.bo.id,
        "pending",
    )
    nobody = signed(
        slack_client,
        "/slack/interactions",
        {"payload": json.dumps(_submission(str(world.shift_ana.id), "U0NOBODY"))},
        at=clock.now(),
    ).json()
    assert nobody["response_action"] == "errors" and "colleague" in nobody["errors"]


def test_swap_buttons_follow_the_apis_rules_an_engineers_approve_is_refused(
    slack_client: TestClient, session: Session, slack: FakeSlack, clock: FixedClock
) -> None:
    world = SlackWorld(session, slack)
    world.rotation.swap_requires_approval = True
    swap = SwapRequest(
        shift_id=world.shift_ana.id,
        requester_id=world.ana.id,
        counterpart_person_id=world.bo.id,
        shift_sequence=world.shift_ana.sequence,
        status="pending",
        created_at=clock.now(),
        updated_at=clock.now(),
    )
    session.add(swap)
    session.flush()

    by_requester = click(slack_client, "U0ANA", "swap_accept", str(swap.id), at=clock.now())
    assert by_requester.json()["text"].startswith("Not done: only the counterpart")
    accepted = click(slack_client, "U0BO", "swap_accept", str(swap.id), at=clock.now()).json()
    assert accepted["text"] == f"Swap {swap.id} accepted by Bo Lindqvist."
    refused = click(slack_client, "U0BO", "swap_approve", str(swap.id), at=clock.now()).json()
    assert refused["text"] == "Not done: only a manager of this rotation can approve swaps"
    session.refresh(swap)
    assert swap.status == "accepted"
    approved = click(slack_client, "U0MIA", "swap_approve", str(swap.id), at=clock.now()).json()
    assert approved["text"] == f"Swap {swap.id} approved by Mia Manager."
    session.refresh(swap)
    assert swap.status == "approved"
    hostile = click(slack_client, "U0MIA", "swap_approve", "9" * 30, at=clock.now()).json()
    assert hostile["text"].startswith("Not done:")


def _submission(shift_id: str, colleague: str, trade: str | None = None) -> dict[str, object]:
    return {
        "type": "view_submission",
        "user": {"id": "U0ANA"},
        "view": {
            "callback_id": "swap_offer",
            "state": {
                "values": {
                    "shift": {"shift": {"selected_option": {"value": shift_id}}},
                    "colleague": {"colleague": {"selected_user": colleague}},
                    "trade": {"trade": {"selected_date": trade}},
                }
            },
        },
    }


def test_the_counterpart_declines_and_a_second_click_is_told_it_is_over(
    slack_client: TestClient, session: Session, slack: FakeSlack, clock: FixedClock
) -> None:
    world = SlackWorld(session, slack)
    swap = SwapRequest(
        shift_id=world.shift_ana.id,
        requester_id=world.ana.id,
        counterpart_person_id=world.bo.id,
        shift_sequence=world.shift_ana.sequence,
        status="pending",
        created_at=clock.now(),
        updated_at=clock.now(),
    )
    session.add(swap)
    session.flush()

    declined = click(slack_client, "U0BO", "swap_decline", str(swap.id), at=clock.now()).json()
    again = click(slack_client, "U0BO", "swap_accept", str(swap.id), at=clock.now()).json()

    assert declined["text"] == f"Swap {swap.id} declined by Bo Lindqvist."
    assert again["text"] == "Not done: swap is declined, not pending"
    session.refresh(swap)
    assert swap.status == "declined"
    assert world.shift_ana.person_id == world.ana.id


def test_the_swap_modal_offers_a_trade_for_the_colleagues_shift_on_a_day(
    slack_client: TestClient, session: Session, slack: FakeSlack, clock: FixedClock
) -> None:
    world = SlackWorld(session, slack)

    def submit(day: str) -> dict[str, object]:
        payload = _submission(str(world.shift_ana.id), "U0BO", trade=day)
        fields = {"payload": json.dumps(payload)}
        answer: dict[str, object] = signed(
            slack_client, "/slack/interactions", fields, at=clock.now()
        ).json()
        return answer

    assert submit("2026-12-25") == {
        "response_action": "errors",
        "errors": {"trade": "Bo Lindqvist has no Tier 2 shift on 2026-12-25."},
    }
    assert submit("2026-12-09") == {}
    swap = session.scalars(select(SwapRequest)).one()
    assert (swap.counterpart_person_id, swap.counterpart_shift_id) == (
        world.bo.id,
        world.shift_bo.id,
    )
