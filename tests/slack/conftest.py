"""Fixtures of the Slack tests: the fake Slack Web API and an app configured to use it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from core.clock import FixedClock
from core.settings import Settings
from tests.slack.fake_slack import TOKEN, FakeSlack, fake_slack
from tests.slack.requests import SIGNING_SECRET
from web.app import create_app


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with fake_slack() as server:
        yield server


@pytest.fixture
def slack_client(
    tmp_path: Path,
    clock: FixedClock,
    session_factory: sessionmaker[Session],
    session: Session,
    slack: FakeSlack,
) -> Iterator[TestClient]:
    settings = Settings(
        secret_key="test-secret-key-for-signing-cookies",
        base_url="http://testserver",
        data_dir=tmp_path,
        slack_bot_token=TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.url,
    )
    app = create_app(settings, clock=clock, session_factory=session_factory)
    with TestClient(app) as client:
        yield client
