"""Two instances running the Slack job at the same moment post a handoff once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from core.db import make_engine, make_sessionmaker
from flows.slack import SlackReport, run_slack
from onboarding.models import OutboxMessage
from onboarding.slack.client import SlackClient
from tests.flows.test_jobs import wipe
from tests.slack.fake_slack import TOKEN, FakeSlack, fake_slack
from tests.slack.world import BASE_URL, HANDOFF, SlackWorld


@pytest.fixture
def committed(engine: Engine) -> Iterator[sessionmaker[Session]]:
    sessions = make_sessionmaker(engine)
    try:
        yield sessions
    finally:
        wipe(engine)


def test_concurrent_runs_post_each_handoff_once(
    committed: sessionmaker[Session], engine: Engine
) -> None:
    with committed() as session, session.begin():
        SlackWorld(session)
    runs = 4
    barrier = threading.Barrier(runs)
    reports: list[SlackReport] = []
    errors: list[BaseException] = []
    with fake_slack() as slack:
        slack.users.update({"ana@example.com": "U0ANA"})

        def run() -> None:
            own_engine = make_engine(engine.url.render_as_string(hide_password=False))
            try:
                barrier.wait()
                reports.append(
                    run_slack(
                        make_sessionmaker(own_engine),
                        now=HANDOFF + timedelta(minutes=1),
                        base_url=BASE_URL,
                        client=SlackClient(token=TOKEN, base_url=slack.url),
                    )
                )
            except BaseException as exc:
                errors.append(exc)
            finally:
                own_engine.dispose()

        threads = [threading.Thread(target=run) for _ in range(runs)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert errors == []
        _assert_once(slack, reports, committed)


def _assert_once(
    slack: FakeSlack, reports: list[SlackReport], committed: sessionmaker[Session]
) -> None:
    posts = [c for c in slack.called("chat.postMessage") if c.args["channel"] == "#tier-2"]
    assert len(posts) == 1
    assert len(slack.called("usergroups.users.update")) == 1
    assert len([c for c in slack.called("chat.postMessage") if c.args["channel"] == "U0ANA"]) == 1
    assert sum(r.queued for r in reports) == 3
    assert sum(len(r.sent) for r in reports) == 3
    with committed() as session:
        sent = session.scalars(select(OutboxMessage.sent_at)).all()
        assert len(sent) == 3 and all(sent)
