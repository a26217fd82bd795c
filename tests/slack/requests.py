"""Requests as Slack sends them: form-encoded, signed with the app's signing secret."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import httpx
from fastapi.testclient import TestClient
from slack_sdk.signature import SignatureVerifier

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"  # Slack's documented example


def signed(
    client: TestClient,
    path: str,
    fields: dict[str, str],
    *,
    at: datetime,
    secret: str = SIGNING_SECRET,
) -> httpx.Response:
    body = urlencode(fields)
    timestamp = str(int(at.timestamp()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    return client.post(
        path,
        content=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": signature or "",
        },
    )


def command(client: TestClient, user: str, text: str, *, at: datetime) -> httpx.Response:
    fields = {
        "command": "/allhands",
        "text": text,
        "user_id": user,
        "team_id": "T0TEAM",
        "trigger_id": "13345224609.738474920.8088930838d88f008e0",
        "response_url": "https://hooks.slack.com/commands/1234/5678",
    }
    return signed(client, "/slack/commands", fields, at=at)


def click(
    client: TestClient, user: str, action_id: str, value: str, *, at: datetime
) -> httpx.Response:
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user},
        "container": {"type": "message", "channel_id": "D0DM", "message_ts": "1700000000.000001"},
        "actions": [{"action_id": action_id, "value": value, "type": "button"}],
    }
    return signed(client, "/slack/interactions", {"payload": json.dumps(payload)}, at=at)
