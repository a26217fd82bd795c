"""A rotation with Slack configured, its people in a fake Slack workspace, and its shifts.

Tier 2 hands over on Mondays at 09:00 in Amsterdam (08:00 UTC in winter): Sam until Mon
30 Nov, then Ana until Mon 7 Dec, then Bo. Two cards are required; Ana read both.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from slack_sdk.models.blocks import Block
from sqlalchemy.orm import Session

from rotation.models import Rotation
from tests.factories import (
    make_ack,
    make_card,
    make_card_set,
    make_person,
    make_requirement,
    make_rotation,
    make_shift,
)
from tests.factories.rotation import handoff
from tests.slack.fake_slack import FakeSlack

HANDOFF = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
BASE_URL = "https://allhands.example.com"
# Every block type Block Kit documents for messages and modals.
BLOCK_TYPES = {
    "section",
    "divider",
    "image",
    "actions",
    "context",
    "input",
    "file",
    "header",
    "video",
    "rich_text",
}


class SlackWorld:
    def __init__(self, session: Session, slack: FakeSlack | None = None) -> None:
        self.sam = make_person(session, email="sam@example.com", name="Sam Okafor")
        self.ana = make_person(session, email="ana@example.com", name="Ana de Vries")
        self.bo = make_person(session, email="bo@example.com", name="Bo Lindqvist")
        self.mia = make_person(session, email="mia@example.com", name="Mia Manager")
        self.rotation: Rotation = make_rotation(
            session,
            name="Tier 2",
            slug="tier-2",
            members=[self.sam, self.ana, self.bo],
            managers=[self.mia],
        )
        self.rotation.slack_channel = "#tier-2"
        self.rotation.slack_usergroup = "S0TIER2ONCALL"
        self.rotation.slack_dm_days_ahead = 3
        start = 12  # shift 12 of the cadence starts Mon 30 Nov
        self.shift_sam = make_shift(session, rotation=self.rotation, person=self.sam, index=11)
        self.shift_ana = make_shift(session, rotation=self.rotation, person=self.ana, index=start)
        self.shift_bo = make_shift(session, rotation=self.rotation, person=self.bo, index=13)
        assert handoff(self.rotation, start) == HANDOFF
        self.cards = [make_card(session) for _ in range(2)]
        card_set = make_card_set(session, cards=self.cards)
        make_requirement(session, rotation=self.rotation, card_set=card_set)
        for card in self.cards:
            make_ack(session, person=self.ana, card=card)
        session.flush()
        if slack is not None:
            slack.users.update(
                {
                    "sam@example.com": "U0SAM",
                    "ana@example.com": "U0ANA",
                    "bo@example.com": "U0BO",
                    "mia@example.com": "U0MIA",
                }
            )


def assert_valid_blocks(blocks: list[dict[str, Any]]) -> None:
    """Each block parses as a documented Block Kit block and serialises back the same."""
    assert blocks
    for raw in blocks:
        assert raw["type"] in BLOCK_TYPES
        parsed = Block.parse(raw)
        assert parsed is not None
        parsed.validate_json()
        assert parsed.to_dict() == raw
