"""``notify`` end to end: a real SMTP server and a local Slack webhook receive each reminder
exactly once, however often (and however concurrently) the job runs."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from core.clock import FixedClock, SystemClock
from core.db import Base, make_engine, make_sessionmaker
from core.settings import get_settings
from flows import cli
from flows.jobs import NotifyReport, run_notify
from onboarding.delivery import EmailTransport, SlackTransport, Transport, parse_smtp_url
from onboarding.models import OutboxMessage, ReadingSummary
from rotation.models import RotationMember, Shift
from tests.conftest import DEFAULT_NOW
from tests.factories import (
    make_ack,
    make_card,
    make_card_set,
    make_person,
    make_requirement,
    make_rotation,
    make_shift,
)
from tests.onboarding.servers import Mailbox, SlackHook, slack_server, smtp_server

BASE_URL = "https://allhands.example.com"


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def slack() -> Iterator[SlackHook]:
    with slack_server() as hook:
        yield hook


class Org:
    """Ana is on tier2 in six days; one required card is past its verification."""

    def __init__(self, session: Session, now: datetime = DEFAULT_NOW) -> None:
        self.manager = make_person(session, email="mia@example.com", name="Mia")
        self.verifier = make_person(session, email="vic@example.com", name="Vic")
        self.ana = make_person(session, email="ana@example.com", name="Ana")
        self.bo = make_person(session, email="bo@example.com", name="Bo")
        self.rotation = make_rotation(
            session, slug="tier2", name="Tier 2", managers=[self.manager], members=[self.ana]
        )
        self.cards = [
            make_card(session, title="Refunds", verifier=self.verifier, last_verified_at=now),
            make_card(
                session,
                title="Escalations",
                verifier=self.verifier,
                last_verified_at=now - timedelta(days=95),
            ),
        ]
        make_requirement(
            session,
            rotation=self.rotation,
            card_set=make_card_set(session, cards=self.cards),
            assign_days_before=21,
            due_days_before=2,
        )
        self.shift: Shift = make_shift(
            session, rotation=self.rotation, start=now + timedelta(days=6), person=self.ana
        )


def email_and_slack(mailbox: Mailbox, slack: SlackHook) -> list[Transport]:
    return [
        EmailTransport(parse_smtp_url(mailbox.url()), sender="allhands <noreply@example.com>"),
        SlackTransport(slack.url),
    ]


def notify(
    sessions: sessionmaker[Session],
    clock: FixedClock,
    transports: list[Transport],
    *,
    dry_run: bool = False,
) -> NotifyReport:
    return run_notify(
        sessions, now=clock.now(), base_url=BASE_URL, transports=transports, dry_run=dry_run
    )


def subjects(mailbox: Mailbox, address: str) -> list[str]:
    return [str(m["Subject"]) for m in mailbox.to(address)]


def test_each_reminder_arrives_once_by_email_and_by_slack(
    session: Session,
    session_factory: sessionmaker[Session],
    clock: FixedClock,
    mailbox: Mailbox,
    slack: SlackHook,
) -> None:
    org = Org(session)
    transports = email_and_slack(mailbox, slack)
    report = notify(session_factory, clock, transports)
    assert report.due == 2
    assert report.queued == 4
    assert subjects(mailbox, "ana@example.com") == [
        "Reading for your Tier 2 shift on Mon 30 Nov 2026, 10:00 UTC"
    ]
    (to_ana,) = mailbox.to("ana@example.com")
    body = to_ana.get_content()
    assert "by Sat 28 Nov 2026, 10:00 UTC" in body
    assert "Refunds (version 1)" in body and "Escalations (version 1)" in body
    assert f"{BASE_URL}/me/checklist" in body
    assert subjects(mailbox, "vic@example.com") == ["Please verify “Escalations”"]
    assert len(slack.posts) == 2
    assert any("(for Ana, ana@example.com)" in p["text"] for p in slack.posts)

    again = notify(session_factory, clock, transports)
    assert (again.queued, again.sent, again.failed) == (0, [], [])
    assert len(mailbox.messages) == 2 and len(slack.posts) == 2

    # One day before due, a second reminder; past due, the person and the manager hear.
    clock.set(org.shift.start - timedelta(days=2, hours=12))
    notify(session_factory, clock, transports)
    assert subjects(mailbox, "ana@example.com")[1].startswith("Reminder: reading for Tier 2 is due")
    clock.set(org.shift.start - timedelta(days=1))
    notify(session_factory, clock, transports)
    notify(session_factory, clock, transports)
    assert subjects(mailbox, "ana@example.com")[2].startswith("Overdue: reading for your Tier 2")
    assert subjects(mailbox, "mia@example.com") == ["Ana has not finished the reading for Tier 2"]
    assert len(mailbox.messages) == 5 and len(slack.posts) == 5

    session.expire_all()
    unsent = session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
    )
    assert unsent == 0


def test_a_ready_shift_gets_no_reminder(
    session: Session, session_factory: sessionmaker[Session], clock: FixedClock, mailbox: Mailbox
) -> None:
    org = Org(session)
    for card in org.cards:
        make_ack(session, person=org.ana, card=card)
    notify(session_factory, clock, [EmailTransport(parse_smtp_url(mailbox.url()), sender="a@b.c")])
    assert subjects(mailbox, "ana@example.com") == []
    assert len(subjects(mailbox, "vic@example.com")) == 1
    # The run also refreshed the reading summary of Ana's coming shift: nothing left to read.
    row = session.get(ReadingSummary, (org.ana.id, org.rotation.id))
    assert row is not None and row.missing == ""


def test_many_due_items_arrive_as_one_digest(
    session: Session, session_factory: sessionmaker[Session], clock: FixedClock, mailbox: Mailbox
) -> None:
    org = Org(session)
    for days in (9, 12, 15, 18):  # a rule just switched on: four shifts assigned at once
        make_shift(
            session, rotation=org.rotation, start=clock.now() + timedelta(days=days), person=org.ana
        )
    transports: list[Transport] = [EmailTransport(parse_smtp_url(mailbox.url()), sender="a@b.c")]
    report = notify(session_factory, clock, transports)
    (digest,) = mailbox.to("ana@example.com")
    assert digest["Subject"] == "allhands: 5 reminders"
    assert digest.get_content().count("Reading for your Tier 2 shift") == 5
    assert sorted(len(d.keys) for d in report.sent) == [1, 5]
    notify(session_factory, clock, transports)
    assert len(mailbox.to("ana@example.com")) == 1


def test_a_swap_sends_the_reading_to_the_new_person(
    session: Session, session_factory: sessionmaker[Session], clock: FixedClock, mailbox: Mailbox
) -> None:
    org = Org(session)
    transports: list[Transport] = [EmailTransport(parse_smtp_url(mailbox.url()), sender="a@b.c")]
    notify(session_factory, clock, transports)
    org.shift.person_id = org.bo.id
    org.shift.sequence += 1
    session.flush()
    clock.advance(timedelta(hours=1))
    notify(session_factory, clock, transports)
    assert len(subjects(mailbox, "ana@example.com")) == 1
    assert subjects(mailbox, "bo@example.com") == [
        "Reading for your Tier 2 shift on Mon 30 Nov 2026, 10:00 UTC"
    ]


def test_a_failed_delivery_is_retried_once_the_channel_works(
    session: Session,
    session_factory: sessionmaker[Session],
    clock: FixedClock,
    mailbox: Mailbox,
    slack: SlackHook,
) -> None:
    Org(session)
    slack.status = 500
    transports = email_and_slack(mailbox, slack)
    first = notify(session_factory, clock, transports)
    assert len(first.sent) == 2 and len(first.failed) == 2
    assert all("500" in error for _, error in first.failed)
    session.expire_all()
    failed = session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "slack")).all()
    assert {(m.attempts, m.sent_at) for m in failed} == {(1, None)}
    assert all(m.last_error and "500" in m.last_error for m in failed)

    slack.status = 200
    second = notify(session_factory, clock, transports)
    assert (len(second.sent), second.failed) == (2, [])
    assert len(slack.posts) == 2 and len(mailbox.messages) == 2


def test_a_dry_run_shows_what_would_be_sent_and_changes_nothing(
    session: Session, session_factory: sessionmaker[Session], clock: FixedClock, mailbox: Mailbox
) -> None:
    Org(session)
    transports: list[Transport] = [EmailTransport(parse_smtp_url(mailbox.url()), sender="a@b.c")]
    report = notify(session_factory, clock, transports, dry_run=True)
    assert sorted(d.outgoing.recipient for d in report.would_send) == [
        "ana@example.com",
        "vic@example.com",
    ]
    assert mailbox.messages == []
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    notify(session_factory, clock, transports)
    assert len(mailbox.messages) == 2
    assert notify(session_factory, clock, transports, dry_run=True).would_send == []


def test_without_a_channel_nothing_is_queued(
    session: Session, session_factory: sessionmaker[Session], clock: FixedClock
) -> None:
    Org(session)
    report = notify(session_factory, clock, [])
    assert (report.due, report.queued) == (2, 0)
    assert "no delivery channel configured" in report.summary()
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


# --- concurrency: committed data, separate sessions, real transactions -------------------


def wipe(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def committed(engine: Engine) -> Iterator[sessionmaker[Session]]:
    """Sessions that really commit on the test database; everything is wiped afterwards."""
    sessions = make_sessionmaker(engine)
    try:
        yield sessions
    finally:
        wipe(engine)


def notify_concurrently(
    engine: Engine, mailbox: Mailbox, *, runs: int, now: datetime
) -> list[NotifyReport]:
    """``runs`` notify runs started at the same moment, each a separate "instance" (its own
    engine, pool and sessions), sending by email; fails on any run's error."""
    barrier = threading.Barrier(runs)
    reports: list[NotifyReport] = []
    errors: list[BaseException] = []

    def run() -> None:
        own_engine = make_engine(engine.url.render_as_string(hide_password=False))
        try:
            barrier.wait()
            transports: list[Transport] = [
                EmailTransport(parse_smtp_url(mailbox.url()), sender="a@b.c")
            ]
            reports.append(
                run_notify(
                    make_sessionmaker(own_engine), now=now, base_url=BASE_URL, transports=transports
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
    return reports


def test_concurrent_runs_send_each_reminder_exactly_once(
    committed: sessionmaker[Session], engine: Engine, mailbox: Mailbox
) -> None:
    with committed() as session, session.begin():
        org = Org(session)
        for days in (9, 12, 15):
            make_shift(
                session,
                rotation=org.rotation,
                start=DEFAULT_NOW + timedelta(days=days),
                person=org.ana,
            )
        others = [make_person(session) for _ in range(6)]
        for i, person in enumerate(others):
            make_shift(
                session,
                rotation=org.rotation,
                start=DEFAULT_NOW + timedelta(days=2 + i, hours=1),
                person=person,
                slot=1,
            )
    reports = notify_concurrently(engine, mailbox, runs=4, now=DEFAULT_NOW)
    expected = {"ana@example.com", "vic@example.com", *(p.email for p in others)}
    assert sorted(str(m["To"]) for m in mailbox.messages) == sorted(expected)
    assert sum(r.queued for r in reports) == sum(len(d.keys) for r in reports for d in r.sent)
    with committed() as session:
        keys = session.scalars(select(OutboxMessage.dedupe_key)).all()
        assert len(keys) == len(set(keys))
        assert (
            session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.sent_at.is_(None))
            )
            == 0
        )


def test_concurrent_runs_send_each_at_risk_notice_once(
    committed: sessionmaker[Session], engine: Engine, mailbox: Mailbox
) -> None:
    """Ana cannot finish two cards in the 20 minutes before they are due: Ana and Mia are told
    once, by however many runs, with Bo (who read everything) as the one to ask."""
    with committed() as session, session.begin():
        org = Org(session)
        org.rotation.at_risk_days = 3
        bo = org.bo
        session.add(
            RotationMember(
                rotation_id=org.rotation.id, person_id=bo.id, position=1, joined_at=DEFAULT_NOW
            )
        )
        for card in org.cards:
            make_ack(session, person=bo, card=card)
    now = org.shift.start - timedelta(days=2, minutes=20)
    notify_concurrently(engine, mailbox, runs=2, now=now)
    told = [m for m in mailbox.messages if "is at risk" in m.get_content()]
    assert sorted(str(m["To"]) for m in told) == ["ana@example.com", "mia@example.com"]
    cover = f"{BASE_URL}/shifts/{org.shift.id}/cover?to={bo.id}"
    assert all(cover in m.get_content() for m in told)
    with committed() as session:
        keys = session.scalars(
            select(OutboxMessage.dedupe_key).where(OutboxMessage.kind == "at-risk")
        ).all()
        assert len(keys) == 2


# --- the command ----------------------------------------------------------------------


def test_the_notify_command_sends_and_summarises(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mailbox: Mailbox
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    monkeypatch.setenv("ALLHANDS_DATABASE_URL", url)
    monkeypatch.setenv("ALLHANDS_SMTP_URL", mailbox.url())
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        empty = runner.invoke(cli.app, ["notify"])
        assert empty.exit_code == 0, empty.output
        assert "0 reminder(s) due" in empty.output
        engine = make_engine(url)
        with make_sessionmaker(engine)() as session, session.begin():
            Org(session, now=SystemClock().now())  # the command runs at the real time
        engine.dispose()
        dry = runner.invoke(cli.app, ["notify", "--dry-run"])
        assert dry.exit_code == 0, dry.output
        assert "would send on email to ana@example.com" in dry.output
        assert mailbox.messages == []
        sent = runner.invoke(cli.app, ["notify"])
        assert sent.exit_code == 0, sent.output
        assert "sent 2 message(s)" in sent.output
        assert runner.invoke(cli.app, ["notify"]).exit_code == 0
        assert sorted(str(m["To"]) for m in mailbox.messages) == [
            "ana@example.com",
            "vic@example.com",
        ]
        monkeypatch.setenv("ALLHANDS_SMTP_URL", "gopher://nope")
        get_settings.cache_clear()
        bad = runner.invoke(cli.app, ["notify"])
        assert bad.exit_code == 2
        assert "ALLHANDS_SMTP_URL" in bad.output
    finally:
        get_settings.cache_clear()
